package policy

import "time"

// Options adjust a Policy. The zero value gives the defaults.
type Options struct {
	// DOIWindow is how long a sign-up may stay unconfirmed before it expires (default 7 days).
	DOIWindow time.Duration
	// StaleAfter is how long a consent may go unused before it is flagged stale (default 30 days).
	StaleAfter time.Duration
	// FreeMailAdd and FreeMailRemove adjust the embedded free-mail list ("example.org", "yahoo.*").
	FreeMailAdd, FreeMailRemove []string
	// ClassifyDomain, if set, is asked first whether a domain is corporate or personal;
	// returning AddressUnknown falls back to the free-mail list.
	ClassifyDomain func(domain string) AddressKind
}

// Policy is a compiled rule set. It is immutable and safe for concurrent use.
type Policy struct {
	version    string
	sources    [numSourceTypes]sourceRule
	juris      []jurisdiction
	countries  [26 * 26]uint8 // 1 + index into juris; 0 = unknown country
	regions    []regionRow
	unknown    uint8
	rules      map[string]Reason
	owners     map[string]string // rule id -> the row that defines it
	byOutcome  map[string]Reason // "id/outcome" -> reason
	all        []Reason          // every compiled reason, in data order
	r          fixedReasons
	doiWindow  time.Duration
	staleAfter time.Duration
	freemail   freemail
	classify   func(string) AddressKind
}

// sourceRule is one compiled source row.
type sourceRule struct {
	slug, label, ruleID, caseNo, citation, def string
	cond                                       condition
	own                                        bool
	warnings                                   Warnings
	allowed, refused                           Reason
}

// fixedReasons are the general rules the evaluator refers to, resolved once.
type fixedReasons struct {
	src00, chn00, con01, con02, con03, con04, con05, con06, con07, con08 Reason
	con12                                                                Reason
	sts01, sts02, sts03, dnc01, vfy01, vfy02                             Reason
	soi01, soi02, li01, li02, li03, li04, casl01, casl02                 Reason
	svc01, svc02, svc03, svc04                                           Reason
}

var defaultPolicy = mustDefault()

func mustDefault() *Policy {
	p, err := New(defaultRules, Options{})
	if err != nil {
		panic("policy: embedded rules.json is invalid: " + err.Error())
	}
	return p
}

// Default returns the policy compiled from the embedded rules with default options.
func Default() *Policy { return defaultPolicy }

// Version returns the version of the rule data, e.g. "2026-11-25".
func (p *Policy) Version() string { return p.version }

// New compiles rule data (the format of the embedded rules.json) with the given options.
func New(data []byte, opts Options) (*Policy, error) {
	rf, err := parseRules(data)
	if err != nil {
		return nil, err
	}
	p := &Policy{version: rf.Version, rules: map[string]Reason{}, owners: map[string]string{},
		byOutcome: map[string]Reason{}, doiWindow: opts.DOIWindow,
		staleAfter: opts.StaleAfter, classify: opts.ClassifyDomain}
	if p.doiWindow <= 0 {
		p.doiWindow = 7 * 24 * time.Hour
	}
	if p.staleAfter <= 0 {
		p.staleAfter = 30 * 24 * time.Hour
	}
	if p.freemail, err = newFreemail(opts.FreeMailAdd, opts.FreeMailRemove); err != nil {
		return nil, err
	}
	if err := p.compileGeneral(rf.Rules); err != nil {
		return nil, err
	}
	if err := p.compileSources(rf.Sources); err != nil {
		return nil, err
	}
	if err := p.compileJurisdictions(rf.Jurisdictions, rf.PhoneDefault); err != nil {
		return nil, err
	}
	return p, nil
}

package suppress

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed providers.json
var defaultProvidersJSON []byte

// ProviderRule says how one mailbox provider's addresses are spelt the same.
type ProviderRule struct {
	Domains   []string `json:"domains"`
	Canonical string   `json:"canonical,omitempty"` // domain every listed domain maps to; "" keeps each
	DropDots  bool     `json:"drop_dots,omitempty"` // dots in the local part do not matter
	Tag       string   `json:"tag,omitempty"`       // sub-address separator ("+"); "" = none
	Source    string   `json:"source"`              // where the provider documents it
}

// Providers is a table of provider rules, by domain. The zero value (and
// NoProviders) applies none.
type Providers struct {
	Version  string
	byDomain map[string]*ProviderRule
}

var defaultProviders = mustProviders(defaultProvidersJSON)

// DefaultProviders is the embedded table (providers.json): Gmail, Outlook.com,
// Fastmail, Proton and iCloud.
func DefaultProviders() *Providers { return defaultProviders }

// NoProviders applies no provider rule: local parts are only lower-cased.
func NoProviders() *Providers { return &Providers{} }

// ParseProviders reads a provider table in the shape of providers.json, for a
// deployment that overrides the embedded one.
func ParseProviders(data []byte) (*Providers, error) {
	var f struct {
		Version   string         `json:"version"`
		Providers []ProviderRule `json:"providers"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("provider table: %w", err)
	}
	p := &Providers{Version: f.Version, byDomain: map[string]*ProviderRule{}}
	for i := range f.Providers {
		r := &f.Providers[i]
		if len(r.Tag) > 1 {
			return nil, fmt.Errorf("provider table: rule %d: tag %q must be one character such as +", i+1, r.Tag)
		}
		if r.Canonical != "" {
			r.Canonical = strings.ToLower(r.Canonical)
		}
		for _, d := range r.Domains {
			d = strings.ToLower(d)
			if _, dup := p.byDomain[d]; dup {
				return nil, fmt.Errorf("provider table: domain %s is listed twice; keep one rule per domain", d)
			}
			p.byDomain[d] = r
		}
	}
	return p, nil
}

func mustProviders(data []byte) *Providers {
	p, err := ParseProviders(data)
	if err != nil {
		panic(err) // the embedded table is checked by TestDefaultProviders
	}
	return p
}

// rule returns the rule for an ASCII lower-case domain, or nil.
func (p *Providers) rule(domain string) *ProviderRule {
	if p == nil {
		return nil
	}
	return p.byDomain[domain]
}

// domain maps a provider's alias domain to its canonical one.
func (p *Providers) domain(d string) string {
	if r := p.rule(d); r != nil && r.Canonical != "" {
		return r.Canonical
	}
	return d
}

// local applies a rule to a lower-cased local part: the sub-address tag goes,
// then the dots where they do not matter. A local part that would become
// empty ("+tag") is kept as it is.
func (r *ProviderRule) local(l string) string {
	if r.Tag != "" {
		if i := strings.IndexByte(l, r.Tag[0]); i > 0 {
			l = l[:i]
		}
	}
	if r.DropDots && strings.IndexByte(l, '.') >= 0 {
		if s := strings.ReplaceAll(l, ".", ""); s != "" {
			l = s
		}
	}
	return l
}

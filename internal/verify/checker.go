package verify

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Options configures a Checker. The zero value checks offline with the
// embedded lists.
type Options struct {
	Lists    *Lists           // nil: Default()
	Resolver Resolver         // nil: Check does no DNS, like Offline; wrapped in a Cache unless it is one
	Prober   Prober           // nil: no SMTP probe (the default: probing is slow and noticed)
	Now      func() time.Time // clock for CheckedAt and the cache; nil: time.Now
	Cache    CacheOptions     // TTLs and size of the DNS cache made for Resolver
}

// Checker checks addresses. It is safe for concurrent use.
type Checker struct {
	lists    *Lists
	resolver Resolver
	prober   Prober
	now      func() time.Time
}

// New returns a Checker for opts.
func New(opts Options) *Checker {
	c := &Checker{lists: opts.Lists, prober: opts.Prober, now: opts.Now}
	if c.lists == nil {
		c.lists = Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	if opts.Resolver != nil {
		c.resolver = opts.Resolver
		if _, ok := opts.Resolver.(*Cache); !ok {
			if opts.Cache.Now == nil {
				opts.Cache.Now = c.now
			}
			c.resolver = NewCache(opts.Resolver, opts.Cache)
		}
	}
	return c
}

// Resolver returns the resolver Check uses (the Cache in front of
// Options.Resolver), nil when offline.
func (c *Checker) Resolver() Resolver { return c.resolver }

// Offline checks syntax, the lists and typos, without I/O. A sound address
// comes back Unknown (nothing was looked up), a flagged one Risky, a
// malformed one Undeliverable.
func (c *Checker) Offline(addr string) Result {
	var buf [8]Reason
	res, _, reasons := c.offline(addr, buf[:0])
	res.Verdict = verdictOf(reasons, false)
	res.Reasons = cloneReasons(reasons)
	return res
}

// Check is Offline plus DNS (MX, implicit MX, null MX) through the Resolver
// and, when a Prober is configured, an SMTP probe of the mailbox.
func (c *Checker) Check(ctx context.Context, addr string) Result {
	var buf [8]Reason
	res, syn, reasons := c.offline(addr, buf[:0])
	if syn.Verdict == SyntaxInvalid || c.resolver == nil || syn.Literal {
		res.Verdict = verdictOf(reasons, false)
		res.Reasons = cloneReasons(reasons)
		return res
	}
	mail, err := c.resolver.LookupMail(ctx, syn.Domain)
	switch {
	case err != nil && errors.Is(err, ErrDNSTimeout):
		reasons = append(reasons, ReasonTimeout)
		res.RetryAfter = time.Minute
	case err != nil:
		reasons = append(reasons, ReasonDNSError)
		res.RetryAfter = time.Minute
	case mail.Status == MailNoDomain:
		reasons = append(reasons, ReasonNoDomain)
	case mail.Status == MailNullMX:
		reasons = append(reasons, ReasonNullMX)
	case mail.Status == MailNone:
		reasons = append(reasons, ReasonNoMX)
	default:
		res.MX = mail.MX
		// A bare TLD that has mail exchangers is a real mail domain, as
		// is_email concludes when its DNS check finds them.
		reasons = slices.DeleteFunc(reasons, func(r Reason) bool { return r == ReasonDotlessDomain })
		if c.prober != nil {
			reasons = c.probe(ctx, &res, syn.ASCII, mail.MX, reasons)
		}
	}
	res.Verdict = verdictOf(reasons, true)
	res.Reasons = cloneReasons(reasons)
	return res
}

func (c *Checker) probe(ctx context.Context, res *Result, addr string, mx []string, reasons []Reason) []Reason {
	pr := c.prober.Probe(ctx, addr, mx)
	res.RetryAfter = pr.RetryAfter
	switch pr.Outcome {
	case ProbeRejected:
		return append(reasons, ReasonMailboxUnknown)
	case ProbeCatchAll:
		return append(reasons, ReasonCatchAll)
	case ProbeGreylisted:
		return append(reasons, ReasonGreylisted)
	case ProbeTimeout:
		return append(reasons, ReasonTimeout)
	case ProbeFailed:
		return append(reasons, ReasonProbeFailed)
	}
	return reasons
}

// offline does the checks without I/O and returns the result so far (no
// verdict), the syntax result and the reasons, appended to buf.
func (c *Checker) offline(addr string, buf []Reason) (Result, SyntaxResult, []Reason) {
	res := Result{Address: addr, CheckedAt: c.now()}
	syn := Syntax(addr)
	res.Diagnosis = syn.Diagnosis
	reasons := buf
	if r := syn.code.reason(); r != "" {
		reasons = append(reasons, r)
	}
	if syn.Verdict == SyntaxInvalid {
		return res, syn, reasons
	}
	res.ASCII = syn.ASCII
	if syn.SMTPUTF8 {
		reasons = append(reasons, ReasonSMTPUTF8)
	}
	if syn.Literal {
		return res, syn, reasons
	}
	l := c.lists
	switch {
	case l.IsDisposable(syn.Domain):
		reasons = append(reasons, ReasonDisposable)
	case l.free.has(syn.Domain):
		reasons = append(reasons, ReasonFree)
	}
	if l.IsRole(syn.Local) {
		reasons = append(reasons, ReasonRole)
	}
	if s := l.Suggest(syn.Domain); s != "" {
		res.Suggestion = syn.Local + "@" + s
		reasons = append(reasons, ReasonTypo)
	}
	return res, syn, reasons
}

// verdictOf sums reasons up. Hard failures win, then (after lookups)
// failures to find out, then risks; information (free, smtputf8) changes
// nothing. With nothing looked up, a sound address is Unknown.
func verdictOf(reasons []Reason, looked bool) Verdict {
	var hard, transient, risky bool
	for _, r := range reasons {
		switch r {
		case ReasonSyntax, ReasonNoDomain, ReasonNoMX, ReasonNullMX, ReasonMailboxUnknown:
			hard = true
		case ReasonDNSError, ReasonTimeout, ReasonGreylisted, ReasonProbeFailed:
			transient = true
		case ReasonFree, ReasonSMTPUTF8:
		default:
			risky = true
		}
	}
	switch {
	case hard:
		return Undeliverable
	case transient:
		return Unknown
	case risky:
		return Risky
	case looked:
		return Deliverable
	default:
		return Unknown
	}
}

func cloneReasons(r []Reason) []Reason {
	if len(r) == 0 {
		return nil
	}
	return slices.Clone(r)
}

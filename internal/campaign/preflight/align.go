package preflight

import (
	"fmt"
	"strings"
)

// checkAlignment checks that DMARC can pass: the From domain must match the
// DKIM d= domain or the SPF (Return-Path) domain — by organisational domain
// in relaxed mode, exactly in strict mode (RFC 7489 3.1) — and that
// identifier's own check must not have failed. Gmail and Yahoo ask for one.
func checkAlignment(id identity, pol dmarcPolicy, spfStatus, dkimStatus string) Finding {
	type ident struct {
		check, what, domain, status string
		strict, aligned             bool
	}
	ids := []ident{
		{check: CheckDKIM, what: "DKIM (d=" + id.dkim + ")", domain: id.dkim, status: dkimStatus, strict: pol.strictDKIM},
		{check: CheckSPF, what: "SPF (Return-Path " + id.spf + ")", domain: id.spf, status: spfStatus, strict: pol.strictSPF},
	}
	var aligned, checks, usable, unknown []string
	for i := range ids {
		d := &ids[i]
		d.aligned = d.domain == id.from || !d.strict && orgDomain(d.domain) == id.fromOrg
		if !d.aligned {
			continue
		}
		aligned, checks = append(aligned, d.what), append(checks, d.check)
		switch d.status {
		case StatusFail:
		case StatusWarn:
			unknown = append(unknown, d.what)
		default:
			usable = append(usable, d.what)
		}
	}
	mode := func(strict bool) string {
		if strict {
			return "strict"
		}
		return "relaxed"
	}
	f := Finding{Check: CheckAlignment}
	switch {
	case len(aligned) == 0:
		f.Status = StatusFail
		f.Message = fmt.Sprintf("the From domain %s is aligned with neither %s (%s) nor %s (%s), so DMARC fails for every message",
			id.from, ids[0].what, mode(ids[0].strict), ids[1].what, mode(ids[1].strict))
		f.Fix = fmt.Sprintf("sign with a DKIM key of %s (set the DKIM domain to it and publish the key there), or use a Return-Path domain under %s", id.fromOrg, id.fromOrg)
	case len(usable) > 0:
		f.Status = StatusPass
		f.Message = fmt.Sprintf("the From domain %s is aligned with %s", id.from, strings.Join(usable, " and "))
	case len(unknown) > 0:
		f.Status = StatusWarn
		f.Message = fmt.Sprintf("the From domain %s is aligned with %s, whose check could not complete", id.from, strings.Join(unknown, " and "))
		f.Fix = "retry the pre-flight"
	default:
		f.Status = StatusFail
		f.Message = fmt.Sprintf("the From domain %s is aligned only with %s, whose check failed, so DMARC fails until it is fixed", id.from, strings.Join(aligned, " and "))
		f.Fix = "fix the " + strings.Join(checks, " and ") + " findings above"
	}
	return f
}

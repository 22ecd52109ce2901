package preflight

import (
	"context"
	"fmt"
	"strings"
)

// dmarcPolicy is what alignment needs of the DMARC record.
type dmarcPolicy struct {
	strictDKIM, strictSPF bool // adkim=s, aspf=s
}

// checkDMARC looks for the record that governs the From domain: at
// _dmarc.<From domain>, else at the organisational domain (RFC 7489 6.6.3).
func checkDMARC(ctx context.Context, r Resolver, id identity) ([]Finding, dmarcPolicy) {
	var pol dmarcPolicy
	at := id.from
	recs, err := dmarcRecords(ctx, r, at)
	if err == nil && len(recs) == 0 && id.fromOrg != id.from {
		at = id.fromOrg
		recs, err = dmarcRecords(ctx, r, at)
	}
	name := "_dmarc." + at
	suggested := txtRecord("_dmarc."+id.fromOrg, "v=DMARC1; p=none; rua=mailto:dmarc-reports@"+id.fromOrg)
	f := Finding{Check: CheckDMARC, Status: StatusFail}
	switch {
	case err != nil:
		return []Finding{retry(CheckDMARC, "the DMARC record of "+id.from, err)}, pol
	case len(recs) == 0:
		where := "_dmarc." + id.from
		if id.fromOrg != id.from {
			where += " nor at _dmarc." + id.fromOrg
		}
		f.Message = "no DMARC record at " + where + "; Gmail and Yahoo require one (p=none at least)"
		f.Fix = "publish (rua= receives the daily reports; any mailbox you read):\n" + suggested
		return []Finding{f}, pol
	case len(recs) > 1:
		f.Message = fmt.Sprintf("%s has %d DMARC records, so receivers apply none (RFC 7489 6.6.3)", name, len(recs))
		f.Fix = "keep exactly one, e.g.\n" + suggested
		return []Finding{f}, pol
	}
	ts, err := parseTags(recs[0])
	if err != nil {
		f.Message, f.Fix = fmt.Sprintf("the DMARC record at %s does not parse: %v", name, err), "replace it with\n"+suggested
		return []Finding{f}, pol
	}
	p, ok := ts.get("p")
	tagName := "p"
	if sp, has := ts.get("sp"); has && at != id.from {
		p, ok, tagName = sp, true, "sp" // sp= governs subdomains of the organisational domain
	}
	switch p = strings.ToLower(p); {
	case !ok:
		f.Message = fmt.Sprintf("the DMARC record at %s has no p= policy, so receivers may ignore it", name)
		f.Fix = "publish the record with a policy:\n" + txtRecord(name, withTag(recs[0], "p=none"))
		return []Finding{f}, pol
	case p != "none" && p != "quarantine" && p != "reject":
		f.Message = fmt.Sprintf("the DMARC record at %s has %s=%s; it must be none, quarantine or reject", name, tagName, p)
		f.Fix = "publish the record with a valid policy:\n" + txtRecord(name, withTag(recs[0], tagName+"=none"))
		return []Finding{f}, pol
	}
	a, _ := ts.get("adkim")
	s, _ := ts.get("aspf")
	pol = dmarcPolicy{strictDKIM: a == "s", strictSPF: s == "s"}
	f.Status = StatusPass
	f.Message = fmt.Sprintf("%s publishes %q", name, recs[0])
	if at != id.from {
		f.Message += fmt.Sprintf(" (the organisational domain's record, which covers %s)", id.from)
	}
	if p == "none" {
		f.Message += "; p=none only monitors: once the reports are clean, move to p=quarantine"
	}
	return []Finding{f}, pol
}

// dmarcRecords returns the DMARC records at _dmarc.domain; other TXT records
// there are ignored, as receivers ignore them (RFC 7489 6.6.3).
func dmarcRecords(ctx context.Context, r Resolver, domain string) ([]string, error) {
	txts, err := lookupTXT(ctx, r, "_dmarc."+domain)
	var recs []string
	for _, t := range txts {
		if v, _, _ := strings.Cut(t, ";"); strings.EqualFold(strings.Join(strings.Fields(v), ""), "v=DMARC1") {
			recs = append(recs, t)
		}
	}
	return recs, err
}

// withTag returns the record with tg ("p=none") right after v=, replacing a
// tag of the same name.
func withTag(rec, tg string) string {
	name, _, _ := strings.Cut(tg, "=")
	parts := []string{"v=DMARC1", tg}
	for i, spec := range strings.Split(rec, ";") {
		n, _, _ := strings.Cut(spec, "=")
		if i == 0 || strings.TrimSpace(spec) == "" || strings.TrimSpace(n) == name {
			continue
		}
		parts = append(parts, strings.TrimSpace(spec))
	}
	return strings.Join(parts, "; ")
}

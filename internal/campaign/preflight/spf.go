package preflight

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"

	"blitiri.com.ar/go/spf"
)

// checkSPF checks the Return-Path domain's SPF record and then whether it
// authorises each relay's public addresses.
func checkSPF(ctx context.Context, r Resolver, id identity, relays []relayInfo) []Finding {
	dom := id.spf
	txts, err := lookupTXT(ctx, r, dom)
	if err != nil {
		return []Finding{retry(CheckSPF, "the SPF record of "+dom, err)}
	}
	var recs []string
	for _, t := range txts {
		if isSPF(t) {
			recs = append(recs, t)
		}
	}
	ips := publicIPs(relays)
	switch {
	case len(recs) == 0:
		return []Finding{{Check: CheckSPF, Status: StatusFail,
			Message: fmt.Sprintf("%s publishes no SPF record; Gmail and Yahoo require SPF for bulk mail", dom),
			Fix:     suggestSPF(dom, ips)}}
	case len(recs) > 1:
		return []Finding{{Check: CheckSPF, Status: StatusFail,
			Message: fmt.Sprintf("%s publishes %d SPF records; receivers treat that as a permanent error (RFC 7208 4.5) and SPF fails", dom, len(recs)),
			Fix:     "replace them with one record that merges them:\n" + txtRecord(dom, mergeSPF(recs, ips))}}
	}
	rec := recs[0]
	if q, ok := allTerm(rec); ok && q == '+' {
		return []Finding{{Check: CheckSPF, Status: StatusFail,
			Message: fmt.Sprintf("the SPF record of %s ends in +all, which lets any server on the internet send as %s", dom, dom),
			Fix:     "end the record in -all (or ~all) so that only your servers may send:\n" + txtRecord(dom, withAll(rec, "-all"))}}
	}
	found := Finding{Check: CheckSPF, Status: StatusPass, Message: fmt.Sprintf("%s publishes %q", dom, rec)}
	return []Finding{found, spfCoverage(ctx, r, dom, rec, relays)}
}

// spfCoverage evaluates the record (with its includes and redirects) for
// every public relay address, as a receiver would.
func spfCoverage(ctx context.Context, r Resolver, dom, rec string, relays []relayInfo) Finding {
	f := Finding{Check: CheckSPF}
	var passed, missing, local []string
	var missingIPs []net.IP
	sure := false // some address not authorised is known to be a sending one
	for _, ri := range relays {
		switch {
		case unusable(ri.err):
			continue // the ptr check reports it
		case ri.err != nil:
			return retry(CheckSPF, "relay "+ri.name()+"'s address", ri.err)
		}
		for _, ip := range ri.ips {
			if _, ok := localIP(ip); ok {
				local = append(local, ri.name())
				continue
			}
			helo := ri.HeloName
			res, err := spf.CheckHostWithSender(ip, helo, "postmaster@"+dom,
				spf.WithContext(ctx), spf.WithResolver(spfResolver{r}))
			switch res {
			case spf.Pass:
				passed = append(passed, ip.String())
			case spf.TempError:
				return retry(CheckSPF, "the SPF record of "+dom, err)
			case spf.PermError:
				f.Status = StatusFail
				f.Message = fmt.Sprintf("the SPF record of %s cannot be evaluated (%v); receivers treat it as a permanent error", dom, err)
				f.Fix = "correct the record (at most 10 DNS-querying terms: include, a, mx, ptr, exists, redirect; and at most 2 that find nothing); check it with an SPF validator"
				return f
			default:
				missing = append(missing, fmt.Sprintf("%s (relay %s: %s)%s", ip, ri.name(), res, ri.unsure()))
				missingIPs = append(missingIPs, ip)
				sure = sure || !ri.inferred
			}
		}
	}
	switch {
	case len(missing) > 0:
		f.Status = StatusFail
		f.Message = fmt.Sprintf("the SPF record of %s does not authorise %s", dom, strings.Join(missing, ", "))
		f.Fix = "add the relays' addresses (or your provider's include:) to the record:\n" + txtRecord(dom, addIPs(rec, missingIPs))
		if !sure {
			f.Status, f.Fix = StatusWarn, f.Fix+"\n"+unsureFix
		}
	case len(passed) > 0:
		f.Status = StatusPass
		f.Message = fmt.Sprintf("the SPF record of %s authorises %s", dom, strings.Join(passed, ", "))
	case len(local) > 0:
		f.Status = StatusSkip
		f.Message = fmt.Sprintf("relay %s is not reachable from the internet, so the address receivers see is unknown and was not tested against SPF", strings.Join(slices.Compact(local), ", "))
		f.Fix = "give the relay its public sending addresses in the relay settings so that pre-flight can test them"
	case len(relays) > 0:
		f.Status = StatusSkip
		f.Message = "no relay address to test against SPF (see the ptr findings)"
	default:
		f.Status = StatusSkip
		f.Message = "no relay is configured (messages go to the development outbox); no sending address to test against SPF"
	}
	return f
}

func isSPF(txt string) bool {
	l := strings.ToLower(txt)
	return l == "v=spf1" || strings.HasPrefix(l, "v=spf1 ")
}

// publicIPs are the relay addresses receivers see.
func publicIPs(relays []relayInfo) []net.IP {
	var ips []net.IP
	for _, ri := range relays {
		for _, ip := range ri.ips {
			if _, local := localIP(ip); !local && !slices.ContainsFunc(ips, ip.Equal) {
				ips = append(ips, ip)
			}
		}
	}
	return ips
}

func suggestSPF(dom string, ips []net.IP) string {
	if len(ips) == 0 {
		return "publish one TXT record naming the servers that send for " + dom + ", e.g.\n" +
			txtRecord(dom, "v=spf1 ip4:YOUR.RELAY.PUBLIC.IP -all") + "\n" +
			"(or your e-mail provider's include:, e.g. v=spf1 include:_spf.provider.example -all)"
	}
	return "publish:\n" + txtRecord(dom, addIPs("v=spf1 -all", ips))
}

// ipTerm is the SPF mechanism naming ip.
func ipTerm(ip net.IP) string {
	if ip.To4() != nil {
		return "ip4:" + ip.String()
	}
	return "ip6:" + ip.String()
}

// addIPs inserts ip4:/ip6: terms for ips before the record's final all or
// redirect=, where a receiver still reaches them.
func addIPs(rec string, ips []net.IP) string {
	terms := strings.Fields(rec)
	at := len(terms)
	for i, t := range terms {
		lt := strings.ToLower(strings.TrimLeft(t, "+-~?"))
		if lt == "all" || strings.HasPrefix(strings.ToLower(t), "redirect=") {
			at = i
			break
		}
	}
	var add []string
	for _, ip := range ips {
		if t := ipTerm(ip); !slices.Contains(terms, t) {
			add = append(add, t)
		}
	}
	return strings.Join(slices.Insert(terms, at, add...), " ")
}

// allTerm returns the qualifier of the record's all mechanism ('+' when it
// has none, as RFC 7208 4.6.2 defaults).
func allTerm(rec string) (byte, bool) {
	for _, t := range strings.Fields(rec) {
		if strings.EqualFold(strings.TrimLeft(t, "+-~?"), "all") {
			if strings.ContainsRune("+-~?", rune(t[0])) {
				return t[0], true
			}
			return '+', true
		}
	}
	return 0, false
}

// withAll returns rec with its all mechanism replaced by (or ended in) all.
func withAll(rec, all string) string {
	var terms []string
	for _, t := range strings.Fields(rec) {
		if !strings.EqualFold(strings.TrimLeft(t, "+-~?"), "all") {
			terms = append(terms, t)
		}
	}
	return strings.Join(append(terms, all), " ")
}

// mergeSPF joins several SPF records into one: every mechanism once, the
// relays' addresses added, ending in the first record's all that is not +all.
func mergeSPF(recs []string, ips []net.IP) string {
	terms := []string{"v=spf1"}
	all := "-all"
	for i := len(recs) - 1; i >= 0; i-- {
		if q, ok := allTerm(recs[i]); ok && q != '+' {
			all = string(q) + "all"
		}
	}
	for _, rec := range recs {
		for _, t := range strings.Fields(rec)[1:] {
			if !strings.EqualFold(strings.TrimLeft(t, "+-~?"), "all") && !slices.Contains(terms, t) {
				terms = append(terms, t)
			}
		}
	}
	return addIPs(strings.Join(append(terms, all), " "), ips)
}

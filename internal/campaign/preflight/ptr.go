package preflight

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
)

// checkPTR checks each relay's public addresses for forward-confirmed
// reverse DNS: a PTR name that resolves back to the address. Gmail and
// Yahoo reject or junk mail from addresses without it.
func checkPTR(ctx context.Context, r Resolver, id identity, relays []relayInfo) []Finding {
	if len(relays) == 0 {
		return []Finding{{Check: CheckPTR, Status: StatusSkip,
			Message: "no relay is configured (messages go to the development outbox)"}}
	}
	var fs []Finding
	for _, ri := range relays {
		switch {
		case unusable(ri.err):
			msg := fmt.Sprintf("relay host %s has no address in DNS, so sending through it will fail", ri.host)
			if !notFound(ri.err) {
				msg = ri.err.Error()
			}
			fs = append(fs, Finding{Check: CheckPTR, Status: StatusFail, Message: msg,
				Fix: "correct the relay's address in the relay settings"})
			continue
		case ri.err != nil:
			fs = append(fs, retry(CheckPTR, "relay "+ri.name()+"'s address", ri.err))
			continue
		}
		for _, ip := range ri.ips {
			fs = append(fs, checkIPName(ctx, r, ri, ip, suggestName(ri, id)))
		}
	}
	return fs
}

func checkIPName(ctx context.Context, r Resolver, ri relayInfo, ip net.IP, suggest string) Finding {
	f := Finding{Check: CheckPTR}
	if where, ok := localIP(ip); ok {
		f.Status = StatusSkip
		f.Message = fmt.Sprintf("relay %s (%s) is %s: receivers see the address it sends from, which pre-flight does not know", ri.name(), ip, where)
		f.Fix = "give the relay its public sending addresses in the relay settings so that pre-flight can check their reverse DNS"
		return f
	}
	names, err := r.LookupAddr(ctx, ip.String())
	if err != nil && !notFound(err) {
		return retry(CheckPTR, "the reverse DNS of "+ip.String(), err)
	}
	fix := fmt.Sprintf("ask whoever runs %s (the hosting provider) to set its reverse DNS (PTR) to %s, and publish\n%s. IN %s %s",
		ip, suggest, suggest, addrType(ip), ip)
	if ri.inferred {
		fix += "\n" + unsureFix
	}
	if len(names) == 0 {
		f.Status, f.Message, f.Fix = ri.severity(), fmt.Sprintf("%s (relay %s) has no reverse DNS (PTR) record%s", ip, ri.name(), ri.unsure()), fix
		return f
	}
	var lookupErr error
	for _, n := range names {
		ips, err := r.LookupIP(ctx, n)
		if err != nil && !notFound(err) {
			lookupErr = err
		}
		if slices.ContainsFunc(ips, ip.Equal) {
			f.Status = StatusPass
			f.Message = fmt.Sprintf("%s (relay %s) has reverse DNS %s, which resolves back to it", ip, ri.name(), strings.TrimSuffix(n, "."))
			return f
		}
	}
	if lookupErr != nil {
		return retry(CheckPTR, "the forward DNS of "+strings.Join(names, ", "), lookupErr)
	}
	name := strings.TrimSuffix(names[0], ".")
	f.Status = ri.severity()
	f.Message = fmt.Sprintf("%s (relay %s) has reverse DNS %s, which does not resolve back to %s%s", ip, ri.name(), strings.Join(names, ", "), ip, ri.unsure())
	f.Fix = fmt.Sprintf("publish\n%s. IN %s %s\n(or have the PTR set to a name that does)", name, addrType(ip), ip)
	if ri.inferred {
		f.Fix += "\n" + unsureFix
	}
	return f
}

// suggestName is the host name to give a relay's address: its EHLO name or
// its host when they are names, else mail.<From domain>.
func suggestName(ri relayInfo, id identity) string {
	for _, n := range []string{ri.HeloName, ri.host} {
		if strings.Contains(n, ".") && net.ParseIP(n) == nil {
			return strings.TrimSuffix(n, ".")
		}
	}
	return "mail." + id.from
}

func addrType(ip net.IP) string {
	if ip.To4() != nil {
		return "A"
	}
	return "AAAA"
}

package verify

import (
	"math/bits"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/net/publicsuffix"
)

// typoTarget is a provider domain with what the fast filters need.
type typoTarget struct {
	name, sld, tld string // "hotmail.co.uk" = "hotmail.co" + "uk": split at the last dot
	mask           uint64 // characters present, see charMask
}

// typoIndex finds the provider a mistyped domain was meant to be.
type typoIndex struct {
	targets []typoTarget // most used first
}

// commonTLDs are what an unknown TLD is compared with, most used first.
var commonTLDs = []string{"com", "net", "org", "de", "uk", "ru", "fr", "it", "nl", "br", "au",
	"es", "ca", "pl", "jp", "ch", "be", "se", "at", "dk", "no", "fi", "cz", "pt", "ie", "nz",
	"in", "mx", "info", "biz", "edu", "gov", "io", "us", "me"}

func newTypoIndex(providers []string) *typoIndex {
	ix := &typoIndex{}
	for _, p := range providers {
		sld, tld := splitTLD(p)
		ix.targets = append(ix.targets, typoTarget{name: p, sld: sld, tld: tld, mask: charMask(p)})
	}
	return ix
}

// suggest returns the provider (or, failing that, the TLD correction) that
// domain most likely is a typo of, or "". The rules keep real look-alike
// domains alone:
//   - at most two edits in all (optimal string alignment: a transposition is one);
//   - the TLD may change by one edit only if it is not a real TLD ("con",
//     "cmo"), or is a two-letter country code one edit from .com/.net/.org
//     (".co", ".cm", ".om", ".ne" are the classic slips); a real country
//     variant ("gmx.at" for "gmx.de", "yahoo.ca") is never corrected;
//   - the name before the TLD may change by one edit if it has four
//     characters or more; a shorter one ("aol", "gmx") only by a doubled
//     letter or a swap ("aoll", "gxm"): other single edits of short names
//     and any two edits ("ghostmail" for "hotmail") reach real domains.
func (ix *typoIndex) suggest(domain string) string {
	if len(domain) < 4 || len(domain) > 40 {
		return ""
	}
	mask := charMask(domain)
	qs, qt := splitTLD(domain)
	best, bestD := "", 3
	for i := range ix.targets {
		t := &ix.targets[i]
		if d := len(domain) - len(t.name); d > 2 || d < -2 {
			continue
		}
		if bits.OnesCount64(mask&^t.mask) > 2 || bits.OnesCount64(t.mask&^mask) > 2 {
			continue // more than two characters one has and the other lacks
		}
		d := osa(domain, t.name, 2)
		if d >= bestD || !plausibleTypo(qs, qt, t, d) {
			continue
		}
		best, bestD = t.name, d
		if d == 1 {
			break // targets are in popularity order; a later one-edit match would only tie
		}
	}
	if best != "" {
		return best
	}
	return fixTLD(qs, qt)
}

func plausibleTypo(qs, qt string, t *typoTarget, d int) bool {
	if qt == "" { // dotless: "gmailcom"
		return d == 1 && len(t.name) >= 7
	}
	ds, dt := osa(qs, t.sld, 2), osa(qt, t.tld, 2)
	if ds+dt > 2 {
		return false
	}
	tldOK := dt == 0 || dt == 1 && (!icannTLD(qt) || len(qt) == 2 && (t.tld == "com" || t.tld == "net" || t.tld == "org"))
	sldOK := ds == 0 || ds == 1 && (len(t.sld) >= 4 || shortSlip(qs, t.sld))
	return tldOK && sldOK
}

// shortSlip reports whether typed is want with one letter doubled or two
// neighbouring letters swapped. Names of digits ("163", "126", "139") are
// left out: their slips are other real domains.
func shortSlip(typed, want string) bool {
	for i := 0; i < len(want); i++ {
		if want[i] >= '0' && want[i] <= '9' {
			return false
		}
	}
	switch len(typed) - len(want) {
	case 1:
		for i := 0; i < len(want); i++ {
			if typed[:i+1] == want[:i+1] && typed[i+1] == want[i] && typed[i+2:] == want[i+1:] {
				return true
			}
		}
	case 0:
		for i := 0; i+1 < len(want); i++ {
			if typed[i] == want[i+1] && typed[i+1] == want[i] && typed[:i] == want[:i] && typed[i+2:] == want[i+2:] {
				return true
			}
		}
	}
	return false
}

// fixTLD suggests the common TLD one edit away from an unknown TLD
// ("example.con" -> "example.com").
func fixTLD(sld, tld string) string {
	if sld == "" || len(tld) < 2 || icannTLD(tld) {
		return ""
	}
	for _, c := range commonTLDs {
		if osa(tld, c, 1) == 1 {
			return sld + "." + c
		}
	}
	return ""
}

// icannCache remembers icannTLD answers: there are only so many TLDs, and
// unknown domains ask about theirs every time. It stops growing at
// icannCacheMax entries so that junk input cannot fill memory.
var (
	icannCache     sync.Map // string -> bool
	icannCacheSize atomic.Int64
)

const icannCacheMax = 4096

// icannTLD reports whether tld is a top-level domain in the ICANN section of
// the public suffix list.
func icannTLD(tld string) bool {
	if v, ok := icannCache.Load(tld); ok {
		return v.(bool)
	}
	// Ask about a name under the TLD: a ccTLD listed only through a
	// wildcard rule ("*.kh") does not match on its own.
	_, icann := publicsuffix.PublicSuffix("example." + tld)
	ok := icann && !strings.Contains(tld, ".")
	if icannCacheSize.Load() < icannCacheMax {
		icannCacheSize.Add(1)
		icannCache.Store(strings.Clone(tld), ok)
	}
	return ok
}

func splitTLD(domain string) (sld, tld string) {
	i := strings.LastIndexByte(domain, '.')
	if i < 0 {
		return domain, ""
	}
	return domain[:i], domain[i+1:]
}

// charMask has a bit for each letter and digit in s, and one for anything
// else; two strings within two edits differ in at most two bits each way.
func charMask(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z':
			m |= 1 << (c - 'a')
		case c >= '0' && c <= '9':
			m |= 1 << (26 + c - '0')
		case c == '.':
			m |= 1 << 36
		case c == '-':
			m |= 1 << 37
		default:
			m |= 1 << 38
		}
	}
	return m
}

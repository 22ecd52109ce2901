package verify

import (
	"fmt"
	"maps"
	"strings"
)

// Lists holds what Offline compares addresses with: disposable domains (and
// services that hand out every subdomain), free-mail domains, role-account
// local parts, and the mail domains a typo suggestion may point to or must
// leave alone. A Lists is read-only and safe for concurrent use; With makes
// a workspace's variant without copying the embedded lists.
type Lists struct {
	disposable domainSet
	wildcard   domainSet
	free       domainSet
	roles      domainSet
	known      domainSet // providers and their real look-alikes: never a typo
	typos      *typoIndex
}

// Overrides are a workspace's changes to the default lists. Domains may be
// given in any case and as U-labels. In AddDisposable, "*.example.com"
// stands for example.com and every subdomain; in RemoveDisposable,
// "example.com" stops both the domain and such a wildcard entry for it.
type Overrides struct {
	AddDisposable, RemoveDisposable []string
	AddFree, RemoveFree             []string
	AddRoles, RemoveRoles           []string // local parts such as "sales" or "no-reply"
	AddKnown                        []string // real domains never to flag as typos (the workspace's own, partners ...)
}

// Default returns the embedded lists.
func Default() *Lists { return defaultLists() }

// With returns a copy of l changed by o; l itself is not changed. It fails on
// an entry that is not a domain name (or, for roles, not a local part),
// saying which.
func (l *Lists) With(o Overrides) (*Lists, error) {
	n := *l
	var err error
	addWild, addExact := splitWildcards(o.AddDisposable)
	delWild, delExact := splitWildcards(o.RemoveDisposable)
	steps := []struct {
		set      *domainSet
		add, del []string
		norm     func(string) (string, error)
	}{
		{&n.disposable, addExact, delExact, normDomain},
		{&n.wildcard, addWild, append(delWild, delExact...), normDomain}, // removing d stops *.d too
		{&n.free, o.AddFree, o.RemoveFree, normDomain},
		{&n.roles, o.AddRoles, o.RemoveRoles, normRole},
		{&n.known, o.AddKnown, nil, normDomain},
	}
	for _, s := range steps {
		if *s.set, err = s.set.with(s.add, s.del, s.norm); err != nil {
			return nil, err
		}
	}
	return &n, nil
}

// IsDisposable reports whether domain (lower-case ASCII) belongs to a
// throw-away mail service.
func (l *Lists) IsDisposable(domain string) bool {
	if l.disposable.has(domain) {
		return true
	}
	for d := domain; ; {
		if l.wildcard.has(d) {
			return true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return false
		}
		d = d[i+1:]
	}
}

// IsFree reports whether domain (lower-case ASCII) is a free-mail provider.
// Disposable domains are not free-mail, although the free-mail list has many.
func (l *Lists) IsFree(domain string) bool {
	return l.free.has(domain) && !l.IsDisposable(domain)
}

// IsRole reports whether a local part names a role account: compared
// case-insensitively and without a "+tag", and only as a whole
// ("marketing.jane" is a person).
func (l *Lists) IsRole(local string) bool {
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	var buf [64]byte
	if len(local) > len(buf) {
		return false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return l.roles.has(string(buf[:len(local)]))
}

// IsKnown reports whether domain is a provider or a real look-alike of one,
// which the typo check leaves alone.
func (l *Lists) IsKnown(domain string) bool { return l.known.has(domain) }

// Suggest returns the domain that domain (lower-case ASCII) is likely a typo
// of, or "" if there is none. Known domains are never corrected.
func (l *Lists) Suggest(domain string) string {
	if l.known.has(domain) {
		return ""
	}
	return l.typos.suggest(domain)
}

// domainSet is a large shared read-only base set with small per-workspace
// additions and removals on top.
type domainSet struct {
	base     map[string]struct{}
	add, del map[string]struct{}
}

func (s domainSet) has(k string) bool {
	if _, ok := s.del[k]; ok {
		return false
	}
	if _, ok := s.add[k]; ok {
		return true
	}
	_, ok := s.base[k]
	return ok
}

func (s domainSet) with(add, del []string, norm func(string) (string, error)) (domainSet, error) {
	if len(add) == 0 && len(del) == 0 {
		return s, nil
	}
	n := domainSet{base: s.base, add: maps.Clone(s.add), del: maps.Clone(s.del)}
	if n.add == nil {
		n.add = map[string]struct{}{}
	}
	if n.del == nil {
		n.del = map[string]struct{}{}
	}
	for _, raw := range add {
		k, err := norm(raw)
		if err != nil {
			return s, err
		}
		n.add[k] = struct{}{}
		delete(n.del, k)
	}
	for _, raw := range del {
		k, err := norm(raw)
		if err != nil {
			return s, err
		}
		n.del[k] = struct{}{}
		delete(n.add, k)
	}
	return n, nil
}

func splitWildcards(entries []string) (wild, exact []string) {
	for _, e := range entries {
		if d, ok := strings.CutPrefix(strings.TrimSpace(e), "*."); ok {
			wild = append(wild, d)
		} else {
			exact = append(exact, e)
		}
	}
	return wild, exact
}

// normDomain turns a list entry into the form addresses are looked up in.
func normDomain(raw string) (string, error) {
	res := Syntax("x@" + strings.TrimSpace(raw))
	if res.Verdict == SyntaxInvalid || res.Literal {
		return "", fmt.Errorf("list entry %q is not a domain name; give it as example.com (or *.example.com for every subdomain)", raw)
	}
	return res.Domain, nil
}

func normRole(raw string) (string, error) {
	r := strings.ToLower(strings.TrimSpace(raw))
	if res := Syntax(r + "@example.com"); res.Verdict != SyntaxValid || r == "" || strings.Contains(r, "+") {
		return "", fmt.Errorf("role %q is not a plain local part; give it as sales or no-reply, without @ or +", raw)
	}
	return r, nil
}

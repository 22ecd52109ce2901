package suppress

import "fmt"

// List is one do-not-contact list as the screen sees it: the key its hashes
// are made with and the index of those hashes.
type List struct {
	Keyer *Keyer
	Index *Index
	// NoDomains says the list holds no domain entries, so an address needs no second
	// lookup by its domain (the caller counts the entries by kind).
	NoDomains bool
}

func (l List) empty() bool { return l.Keyer == nil || l.Index == nil || l.Index.Len() == 0 }

// Screen answers "may I contact this identifier?" for one workspace. It checks
// the workspace's list and the instance-wide list an operator keeps, each
// with its own key: the same address has unrelated hashes in two workspaces,
// so one workspace's entries never block in another, while instance entries
// block in all of them.
type Screen struct {
	Workspace List
	Instance  List // instance-wide entries; may be empty
	Options   Options
}

// Check canonicalises raw and screens it; the error is about raw (bad input),
// never about the list.
func (s *Screen) Check(kind Kind, raw, channel, purpose string) (Match, bool, error) {
	c, err := Canonical(kind, raw, s.Options)
	if err != nil {
		return Match{}, false, err
	}
	m, ok := s.CheckCanonical(kind, c, channel, purpose)
	return m, ok, nil
}

// CheckCanonical screens a value already in canonical form. An e-mail address
// is blocked by an entry for the address or for its domain.
func (s *Screen) CheckCanonical(kind Kind, canonical, channel, purpose string) (Match, bool) {
	if m, ok := s.Workspace.check(kind, canonical, channel, purpose); ok {
		return m, true
	}
	if s.Instance.empty() {
		return Match{}, false
	}
	m, ok := s.Instance.check(kind, canonical, channel, purpose)
	m.Instance = ok
	return m, ok
}

func (l List) check(kind Kind, canonical, channel, purpose string) (Match, bool) {
	if l.empty() {
		return Match{}, false
	}
	if m, ok := l.Index.Blocked(l.Keyer.Hash(kind, canonical), channel, purpose); ok {
		m.Kind = kind
		return m, true
	}
	if kind == KindEmail && !l.NoDomains {
		m, ok := l.Index.Blocked(l.Keyer.Hash(KindDomain, EmailDomain(canonical)), channel, purpose)
		m.Kind = KindDomain
		return m, ok
	}
	return Match{}, false
}

// Result is the answer for one identifier of a batch.
type Result struct {
	Blocked bool
	Match   Match
	Err     error // raw was not a valid identifier of the kind; Blocked is false
}

// CheckBatch screens many identifiers of one kind for one channel and
// purpose, filling out[i] for raws[i], and returns how many are blocked.
// It canonicalises and hashes each, then looks the hashes up in bulk.
func (s *Screen) CheckBatch(kind Kind, raws []string, channel, purpose string, out []Result) (int, error) {
	if len(out) < len(raws) {
		return 0, fmt.Errorf("CheckBatch: out holds %d results for %d identifiers", len(out), len(raws))
	}
	canon := make([]string, len(raws))
	for i, raw := range raws {
		c, err := Canonical(kind, raw, s.Options)
		out[i] = Result{Err: err}
		canon[i] = c
	}
	var b batchScratch
	for pass, l := range []List{s.Workspace, s.Instance} {
		if l.empty() {
			continue
		}
		instance := pass == 1
		b.run(l, kind, canon, channel, purpose, out, instance)
		if kind == KindEmail && !l.NoDomains {
			domains := make([]string, len(canon))
			for i, c := range canon {
				if c != "" {
					domains[i] = EmailDomain(c)
				}
			}
			b.run(l, KindDomain, domains, channel, purpose, out, instance)
		}
	}
	n := 0
	for i := range raws {
		if out[i].Blocked {
			n++
		}
	}
	return n, nil
}

// batchScratch holds the buffers of one CheckBatch.
type batchScratch struct {
	idx    []int
	hashes [][32]byte
	hit    []bool
}

// run hashes the values not yet blocked under l's key, screens them in bulk
// and records the hits.
func (b *batchScratch) run(l List, kind Kind, values []string, channel, purpose string, out []Result, instance bool) {
	b.idx, b.hashes = b.idx[:0], b.hashes[:0]
	h := l.Keyer.NewHasher()
	for i, v := range values {
		if v != "" && !out[i].Blocked {
			b.idx = append(b.idx, i)
			b.hashes = append(b.hashes, h.Hash(kind, v))
		}
	}
	if cap(b.hit) < len(b.hashes) {
		b.hit = make([]bool, len(b.hashes))
	}
	b.hit = b.hit[:len(b.hashes)]
	if l.Index.BlockedBatch(b.hashes, channel, purpose, b.hit) == 0 {
		return
	}
	for j, hit := range b.hit {
		if !hit {
			continue
		}
		m, ok := l.Index.Blocked(b.hashes[j], channel, purpose)
		if !ok {
			continue // removed between the two looks: not blocked now
		}
		m.Kind, m.Instance = kind, instance
		out[b.idx[j]] = Result{Blocked: true, Match: m}
	}
}

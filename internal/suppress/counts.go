package suppress

// A slot's value says which scopes block its identifier and how many entries
// hold each, so that removing one entry never unblocks an identifier another
// entry still holds.
//
// Inline (bit 63 clear): four 15-bit counters for the scopes without a
// purpose: every channel, email, phone, sms. That covers almost every entry.
// Spilled (bit 63 set): the low 32 bits index a map of scope -> count in the
// shard's side table, used once a purpose-scoped entry arrives or a counter
// would overflow.
const (
	fieldBits = 15
	fieldMax  = 1<<fieldBits - 1
	spillFlag = uint64(1) << 63
	allFields = uint64(1)<<(4*fieldBits) - 1
)

// field returns the bit mask of inline counter f (0 = every channel,
// 1 + channelIndex for one channel).
func field(f int) uint64 { return fieldMax << (fieldBits * uint(f)) }

// inlineField returns the counter a purpose-less scope uses, or -1.
func inlineField(s Scope) int {
	if s.Purpose != "" {
		return -1
	}
	if s.Channel == "" {
		return 0
	}
	return 1 + channelIndex(s.Channel)
}

// queryMask returns the inline counters that block a question about a
// channel (channelIndex, or -1 for any channel).
func queryMask(ch int) uint64 {
	if ch < 0 {
		return allFields
	}
	return field(0) | field(1+ch)
}

// inlineMatch names the broadest scope whose counter is set in v&mask.
func inlineMatch(v, mask uint64) Scope {
	v &= mask
	if v&field(0) != 0 {
		return ScopeAll
	}
	for c, name := range Channels() {
		if v&field(1+c) != 0 {
			return Scope{Channel: name}
		}
	}
	return ScopeAll
}

// spill turns an inline value into a side-table map and returns its value.
func (t *table) spill(v uint64) uint64 {
	m := make(map[Scope]uint32, 2)
	for f := 0; f < 4; f++ {
		if n := (v >> (fieldBits * uint(f))) & fieldMax; n > 0 {
			sc := ScopeAll
			if f > 0 {
				sc.Channel = Channels()[f-1]
			}
			m[sc] = uint32(n)
		}
	}
	var idx uint32
	if n := len(t.free); n > 0 {
		idx = t.free[n-1]
		t.free = t.free[:n-1]
		t.spills[idx] = m
	} else {
		idx = uint32(len(t.spills))
		t.spills = append(t.spills, m)
	}
	return spillFlag | uint64(idx)
}

// unspill releases a side-table map.
func (t *table) unspill(v uint64) {
	idx := uint32(v)
	t.spills[idx] = nil
	t.free = append(t.free, idx)
}

// spillMatch finds the broadest scope in m that blocks channel and purpose.
func spillMatch(m map[Scope]uint32, channel, purpose string) (Scope, bool) {
	best, rank := Scope{}, 5
	for sc := range m {
		if !sc.Covers(channel, purpose) {
			continue
		}
		r := 0
		if sc.Channel != "" {
			r++
		}
		if sc.Purpose != "" {
			r += 2
		}
		if r < rank || r == rank && sc.String() < best.String() {
			best, rank = sc, r
		}
	}
	return best, rank < 5
}

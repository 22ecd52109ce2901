package suppress

// table is one shard's open-addressing hash table: linear probing over one
// slice of 16-byte slots, so the garbage collector sees one pointer-free
// allocation however many entries it holds, and a lookup usually reads one
// cache line. Keys are the first 8 bytes of a keyed hash, which are
// uniformly distributed, so they index the table directly. Key 0 marks an
// empty slot (a hash whose prefix is 0 is stored as 1). Deletion shifts the
// following run back, so there are no tombstones and lookups never slow down
// as entries come and go.
type table struct {
	slots  []slot
	mask   uint64
	n      int                // occupied slots
	spills []map[Scope]uint32 // values that do not fit a slot, by spill index
	free   []uint32           // reusable spill indexes
}

type slot struct{ key, val uint64 }

// maxLoad is the fill ratio (in eighths) at which a table doubles: at 6/8 a
// miss reads about eight slots (two cache lines) on average.
const maxLoad = 6

func newTable(capacity int) table {
	n := 8
	for n*maxLoad/8 < capacity {
		n *= 2
	}
	return table{slots: make([]slot, n), mask: uint64(n - 1)}
}

// find returns the slot index holding key, or the empty slot where it would go.
func (t *table) find(key uint64) (int, bool) {
	i := key & t.mask
	for {
		s := &t.slots[i]
		if s.key == key {
			return int(i), true
		}
		if s.key == 0 {
			return int(i), false
		}
		i = (i + 1) & t.mask
	}
}

// get returns the value stored for key.
func (t *table) get(key uint64) (uint64, bool) {
	i := key & t.mask
	for {
		s := &t.slots[i]
		if s.key == key {
			return s.val, true
		}
		if s.key == 0 {
			return 0, false
		}
		i = (i + 1) & t.mask
	}
}

// insert puts a new key (known to be absent) and returns its slot index.
func (t *table) insert(key, val uint64) int {
	if (t.n+1)*8 > len(t.slots)*maxLoad {
		t.grow()
	}
	i, _ := t.find(key)
	t.slots[i] = slot{key, val}
	t.n++
	return i
}

func (t *table) grow() {
	old := t.slots
	t.slots = make([]slot, 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.key != 0 {
			i, _ := t.find(s.key)
			t.slots[i] = s
		}
	}
}

// delete empties slot i and moves back every following entry of the run that
// may no longer be reachable from its home slot.
func (t *table) delete(i int) {
	hole := uint64(i)
	j := hole
	for {
		j = (j + 1) & t.mask
		s := t.slots[j]
		if s.key == 0 {
			break
		}
		home := s.key & t.mask
		// s may move into the hole unless its home lies cyclically in (hole, j].
		if (j > hole && (home <= hole || home > j)) || (j < hole && home <= hole && home > j) {
			t.slots[hole] = s
			hole = j
		}
	}
	t.slots[hole] = slot{}
	t.n--
}

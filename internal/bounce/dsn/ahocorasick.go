package dsn

import "sync"

// partIndex finds, in one pass over a lower-cased text, every rule part (phrases.tsv and
// mta.tsv) that occurs in it: an Aho–Corasick automaton, made a full DFA over byte classes at
// init. Matching a diagnostic against each of the ~1,300 parts with its own substring search
// was most of classifying's time on long diagnostics, where no cheap prefilter rejects much.
type partIndex struct {
	parts   []string
	ids     map[string]int32
	class   [256]uint8 // byte -> its class; 0 for the bytes no part has
	nclass  int
	delta   []uint16 // state*nclass + class -> next state (fewer than 32,768 states; the top bit is hasOutput)
	outs    []int32  // the parts that end at each state: outs[outAt[s]:outAt[s+1]]
	outAt   []int32
	nstates int
	once    sync.Once
}

// add registers a part and returns its id; the same text gets the same id.
func (x *partIndex) add(part string) int32 {
	if x.ids == nil {
		x.ids = map[string]int32{}
	}
	if id, ok := x.ids[part]; ok {
		return id
	}
	id := int32(len(x.parts))
	x.ids[part] = id
	x.parts = append(x.parts, part)
	return id
}

// build makes the automaton from the parts added.
func (x *partIndex) build() {
	x.nclass = 1
	for _, p := range x.parts {
		for i := 0; i < len(p); i++ {
			if x.class[p[i]] == 0 {
				x.class[p[i]] = uint8(x.nclass)
				x.nclass++
				if x.nclass > 255 {
					panic("dsn: too many distinct bytes in the rules")
				}
			}
		}
	}
	// The trie, with -1 for "no edge"; at most one state per byte of the parts.
	most := 1
	for _, p := range x.parts {
		most += len(p)
	}
	goTo := make([]int32, 0, most*x.nclass)
	newState := func() int32 {
		for c := 0; c < x.nclass; c++ {
			goTo = append(goTo, -1)
		}
		return int32(len(goTo)/x.nclass - 1)
	}
	newState()
	ends := [][]int32{nil}
	for id, p := range x.parts {
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := int32(x.class[p[i]])
			if goTo[s*int32(x.nclass)+c] < 0 {
				n := newState()
				ends = append(ends, nil)
				goTo[s*int32(x.nclass)+c] = n
			}
			s = goTo[s*int32(x.nclass)+c]
		}
		ends[s] = append(ends[s], int32(id))
	}
	x.nstates = len(ends)
	// Breadth first: each state's failure link, its missing edges those of its failure
	// state, its outputs with those of its failure state.
	fail := make([]int32, x.nstates)
	queue := make([]int32, 0, x.nstates)
	order := []int32{0} // the states breadth first: numbered so, the shallow (hot) ones share cache lines
	for c := 0; c < x.nclass; c++ {
		if n := goTo[c]; n < 0 {
			goTo[c] = 0
		} else {
			fail[n] = 0
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		order = append(order, s)
		ends[s] = append(ends[s], ends[fail[s]]...)
		for c := 0; c < x.nclass; c++ {
			k := s*int32(x.nclass) + int32(c)
			if n := goTo[k]; n >= 0 {
				fail[n] = goTo[fail[s]*int32(x.nclass)+int32(c)]
				queue = append(queue, n)
			} else {
				goTo[k] = goTo[fail[s]*int32(x.nclass)+int32(c)]
			}
		}
	}
	if x.nstates > 1<<15 {
		panic("dsn: the rules' automaton outgrew 15-bit states")
	}
	renum := make([]int32, x.nstates)
	for n, old := range order {
		renum[old] = int32(n)
	}
	x.delta = make([]uint16, len(goTo))
	x.outAt = make([]int32, x.nstates+1)
	for n, old := range order {
		for c := 0; c < x.nclass; c++ {
			to := goTo[int(old)*x.nclass+c]
			d := uint16(renum[to])
			if len(ends[to]) > 0 {
				d |= hasOutput
			}
			x.delta[n*x.nclass+c] = d
		}
		x.outs = append(x.outs, ends[old]...)
		x.outAt[n+1] = int32(len(x.outs))
	}
}

// hasOutput marks, in delta, a move to a state where some part ends: the scan looks up the
// parts only then.
const hasOutput = 1 << 15

// hits is the set of parts found in a text.
type hits []uint64

func (h hits) has(id int32) bool { return h[id>>6]&(1<<(id&63)) != 0 }

// scan is the set of the parts that occur in text.
func (x *partIndex) scan(text string) hits {
	x.once.Do(x.build) // on first use: a program that parses no report does not pay for it
	h := make(hits, (len(x.parts)+63)/64)
	s := 0
	n := x.nclass
	for i := 0; i < len(text); i++ {
		t := x.delta[s*n+int(x.class[text[i]])]
		s = int(t &^ hasOutput)
		if t&hasOutput != 0 {
			for _, id := range x.outs[x.outAt[s]:x.outAt[s+1]] {
				h[id>>6] |= 1 << (id & 63)
			}
		}
	}
	return h
}

package suppress

// batchChunk bounds how many lookups run under one set of read locks, so a
// long batch holds a writer up for a millisecond at most.
const batchChunk = 4096

// probeGroup is how many lookups start their first memory read together.
// The reads are independent, so the processor overlaps their cache misses
// instead of waiting for each in turn.
const probeGroup = 16

// BlockedBatch screens many hashes at once for one channel and purpose: it
// sets blocked[i] for hs[i] and returns how many are blocked. Use Blocked on
// a hit to learn its scope. It panics if blocked is shorter than hs.
func (ix *Index) BlockedBatch(hs [][32]byte, channel, purpose string, blocked []bool) int {
	blocked = blocked[:len(hs)]
	ch := channelIndex(channel)
	if ch < 0 {
		channel = ""
	}
	mask := queryMask(ch)
	n := 0
	for start := 0; start < len(hs); start += batchChunk {
		end := min(start+batchChunk, len(hs))
		ix.rlockAll()
		n += ix.batch(hs[start:end], ch, channel, purpose, mask, blocked[start:end])
		ix.runlockAll()
	}
	return n
}

func (ix *Index) batch(hs [][32]byte, ch int, channel, purpose string, mask uint64, blocked []bool) int {
	var keys [probeGroup]uint64
	var first [probeGroup]slot
	n := 0
	for g := 0; g < len(hs); g += probeGroup {
		m := min(probeGroup, len(hs)-g)
		for j := 0; j < m; j++ {
			k := prefix(&hs[g+j])
			t := &ix.shard(k).t
			keys[j], first[j] = k, t.slots[k&t.mask]
		}
		for j := 0; j < m; j++ {
			k := keys[j]
			v, ok := first[j].val, first[j].key == k
			if !ok && first[j].key != 0 {
				v, ok = ix.shard(k).t.get(k)
			}
			hit := false
			if ok {
				if v&spillFlag == 0 {
					hit = v&mask != 0
				} else {
					_, hit = ix.shard(k).t.match(v, ch, channel, purpose)
				}
			}
			blocked[g+j] = hit
			if hit {
				n++
			}
		}
	}
	return n
}

func (ix *Index) rlockAll() {
	for i := range ix.shards {
		ix.shards[i].mu.RLock()
	}
}

func (ix *Index) runlockAll() {
	for i := range ix.shards {
		ix.shards[i].mu.RUnlock()
	}
}

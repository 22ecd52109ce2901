package suppress

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// keyName is the name of the workspace (and instance) key the do-not-contact hashes are made
// with (Store.SigningKey, Store.InstanceKey).
const keyName = "suppress-hash"

// screens holds the in-memory screening index of every workspace this process has screened
// for, and of the instance-wide list. Each index catches up with the store by change number
// (Store.SuppressionChanges): after every write this process makes, before every bulk
// screening (exports, call lists, campaigns) and, in serve, every refresh interval for the
// writes of other processes (KeepCurrent).
type screens struct {
	mu    sync.RWMutex
	lists map[int64]*screenList
}

// screenList is one workspace's (or the instance's) key and index and how far it has caught up.
type screenList struct {
	sync    sync.Mutex // one catch-up at a time
	keyer   *Keyer
	index   *Index
	seq     int64
	domains atomic.Int64 // active domain entries: none spares every address its domain lookup
	ready   atomic.Bool  // keyer and index are loaded; they are not replaced after
}

// list returns the workspace's list, loading it on first use. Once loaded it is returned
// without taking the list's lock, so that answers never wait for a catch-up in progress.
func (s *Service) list(ctx context.Context, ws int64) (*screenList, error) {
	s.scr.mu.RLock()
	l, ok := s.scr.lists[ws]
	s.scr.mu.RUnlock()
	if ok && l.ready.Load() {
		return l, nil
	}
	if !ok {
		s.scr.mu.Lock()
		if l, ok = s.scr.lists[ws]; !ok {
			if s.scr.lists == nil {
				s.scr.lists = map[int64]*screenList{}
			}
			l = &screenList{}
			s.scr.lists[ws] = l
		}
		s.scr.mu.Unlock()
	}
	l.sync.Lock()
	defer l.sync.Unlock()
	if l.ready.Load() {
		return l, nil // loaded by the caller that held the lock before
	}
	key, err := s.key(ctx, ws)
	if err != nil {
		return nil, err
	}
	if l.keyer, err = NewKeyer(key); err != nil {
		return nil, err
	}
	l.index, l.seq = NewIndex(0), 0
	l.domains.Store(0)
	if err := s.catchUp(ctx, ws, l); err != nil {
		return nil, err // the next caller loads it from scratch
	}
	l.ready.Store(true)
	return l, nil
}

func (s *Service) key(ctx context.Context, ws int64) ([]byte, error) {
	if ws == InstanceWorkspace {
		return s.st.InstanceKey(ctx, keyName)
	}
	return s.st.SigningKey(ctx, ws, keyName)
}

// catchUp applies the changes after l.seq; the caller holds l.sync.
func (s *Service) catchUp(ctx context.Context, ws int64, l *screenList) error {
	var h [32]byte
	seq, err := s.st.SuppressionChanges(ctx, ws, l.seq, func(c Change) error {
		if len(c.Hash) != len(h) {
			return fmt.Errorf("suppression %d has a %d-byte hash; the store is damaged", c.ID, len(c.Hash))
		}
		copy(h[:], c.Hash)
		sc := Scope{Channel: c.ScopeChannel, Purpose: c.ScopePurpose}
		if c.Removed {
			if l.index.Remove(h, sc) && c.Kind == string(KindDomain) {
				l.domains.Add(-1)
			}
			return nil
		}
		if c.Kind == string(KindDomain) {
			l.domains.Add(1)
		}
		return l.index.AddHash(h, sc)
	})
	if err != nil {
		return fmt.Errorf("catch up with the do-not-contact list: %w", err)
	}
	l.seq = seq
	return nil
}

// syncList brings one loaded list up to date.
func (s *Service) syncList(ctx context.Context, ws int64) error {
	l, err := s.list(ctx, ws)
	if err != nil {
		return err
	}
	l.sync.Lock()
	defer l.sync.Unlock()
	return s.catchUp(ctx, ws, l)
}

// Screen returns the screen of the workspace (its list and the instance-wide list). With
// fresh, both lists first catch up with the store — what every bulk screening does; without,
// the indexes are as current as the last catch-up (this process's own writes are always in).
func (s *Service) Screen(ctx context.Context, ws int64, fresh bool) (*Screen, error) {
	wl, err := s.list(ctx, ws)
	if err != nil {
		return nil, err
	}
	il, err := s.list(ctx, InstanceWorkspace)
	if err != nil {
		return nil, err
	}
	if fresh {
		for id, l := range map[int64]*screenList{ws: wl, InstanceWorkspace: il} {
			l.sync.Lock()
			err := s.catchUp(ctx, id, l)
			l.sync.Unlock()
			if err != nil {
				return nil, err
			}
		}
	}
	return &Screen{
		Workspace: List{Keyer: wl.keyer, Index: wl.index, NoDomains: wl.domains.Load() == 0},
		Instance:  List{Keyer: il.keyer, Index: il.index, NoDomains: il.domains.Load() == 0},
		Options:   s.opts}, nil
}

// Forget drops the workspace's loaded index, so that the next screening loads it from the
// store as a starting server does (benchmarks measure that load).
func (s *Service) Forget(ws int64) {
	s.scr.mu.Lock()
	delete(s.scr.lists, ws)
	s.scr.mu.Unlock()
}

// KeepCurrent loads the index of every workspace whose list has entries, then brings every
// loaded index up to date with the writes of other processes every interval until ctx ends.
// It is a cache refresh of this process, not a queue job: every serve process runs its own,
// since each keeps its own index in memory.
func (s *Service) KeepCurrent(ctx context.Context, interval time.Duration) {
	s.preload(ctx)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.scr.mu.Lock()
		ids := make([]int64, 0, len(s.scr.lists))
		for id := range s.scr.lists {
			ids = append(ids, id)
		}
		s.scr.mu.Unlock()
		for _, id := range ids {
			if err := s.syncList(ctx, id); err != nil && ctx.Err() == nil {
				s.log.Error("catch up with the do-not-contact list", "workspace_id", id, "err", err)
			}
		}
	}
}

// preload loads the screening index of every workspace whose do-not-contact list has
// entries (the instance's too), so that a server's first answers do not wait for a large list
// to be read; a request that comes earlier waits for its list rather than answer without it.
func (s *Service) preload(ctx context.Context) {
	wss, err := s.st.SuppressionWorkspaces(ctx)
	if err != nil {
		s.log.Error("preload do-not-contact lists", "err", err)
		return
	}
	for _, ws := range wss {
		start := time.Now()
		l, err := s.list(ctx, ws)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("preload do-not-contact list", "workspace_id", ws, "err", err)
			}
			continue
		}
		if n := l.index.Len(); n > 0 {
			s.log.Info("do-not-contact list loaded", "workspace_id", ws, "identifiers", n, "took", time.Since(start).Round(time.Millisecond))
		}
	}
}

// applyOwn puts entries this process has just stored into its index without reading them
// back, when they are the very next change of the list; otherwise it catches up from the
// store (another writer's change came in between).
func (s *Service) applyOwn(ctx context.Context, ws int64, added []Suppression) error {
	if len(added) == 0 {
		return s.syncList(ctx, ws)
	}
	l, err := s.list(ctx, ws)
	if err != nil {
		return err
	}
	l.sync.Lock()
	defer l.sync.Unlock()
	seq := added[0].AddedSeq
	if l.seq != seq-1 {
		return s.catchUp(ctx, ws, l)
	}
	var h [32]byte
	for _, e := range added {
		if e.AddedSeq != seq || len(e.Hash) != len(h) {
			return fmt.Errorf("entry %d: not of change %d", e.ID, seq)
		}
		copy(h[:], e.Hash)
		if err := l.index.AddHash(h, Scope{Channel: e.ScopeChannel, Purpose: e.ScopePurpose}); err != nil {
			return err
		}
		if e.Kind == string(KindDomain) {
			l.domains.Add(1)
		}
	}
	l.seq = seq
	return nil
}

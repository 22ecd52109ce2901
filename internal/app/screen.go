package app

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
)

// suppressKeyName is the name of the workspace (and instance) key the do-not-contact hashes
// are made with (store.SigningKey, store.InstanceKey).
const suppressKeyName = "suppress-hash"

// screens holds the in-memory screening index of every workspace this process has screened
// for, and of the instance-wide list. Each index catches up with the store by change number
// (store.SuppressionChanges): after every write this process makes, before every bulk
// screening (exports, call lists, campaigns) and, in serve, every syncInterval for the writes
// of other processes.
type screens struct {
	mu    sync.RWMutex
	lists map[int64]*screenList
}

// screenList is one workspace's (or the instance's) key and index and how far it has caught up.
type screenList struct {
	sync    sync.Mutex // one catch-up at a time
	keyer   *suppress.Keyer
	index   *suppress.Index
	seq     int64
	domains atomic.Int64 // active domain entries: none spares every address its domain lookup
	ready   atomic.Bool  // keyer and index are loaded; they are not replaced after
}

// list returns the workspace's list, loading it on first use. Once loaded it is returned
// without taking the list's lock, so that answers never wait for a catch-up in progress.
func (a *App) list(ctx context.Context, ws int64) (*screenList, error) {
	a.scr.mu.RLock()
	l, ok := a.scr.lists[ws]
	a.scr.mu.RUnlock()
	if ok && l.ready.Load() {
		return l, nil
	}
	if !ok {
		a.scr.mu.Lock()
		if l, ok = a.scr.lists[ws]; !ok {
			if a.scr.lists == nil {
				a.scr.lists = map[int64]*screenList{}
			}
			l = &screenList{}
			a.scr.lists[ws] = l
		}
		a.scr.mu.Unlock()
	}
	l.sync.Lock()
	defer l.sync.Unlock()
	if l.ready.Load() {
		return l, nil // loaded by the caller that held the lock before
	}
	key, err := a.suppressKey(ctx, ws)
	if err != nil {
		return nil, err
	}
	if l.keyer, err = suppress.NewKeyer(key); err != nil {
		return nil, err
	}
	l.index, l.seq = suppress.NewIndex(0), 0
	l.domains.Store(0)
	if err := a.catchUp(ctx, ws, l); err != nil {
		return nil, err // the next caller loads it from scratch
	}
	l.ready.Store(true)
	return l, nil
}

func (a *App) suppressKey(ctx context.Context, ws int64) ([]byte, error) {
	if ws == store.InstanceWorkspace {
		return a.Store.InstanceKey(ctx, suppressKeyName)
	}
	return a.Store.SigningKey(ctx, ws, suppressKeyName)
}

// catchUp applies the changes after l.seq; the caller holds l.sync.
func (a *App) catchUp(ctx context.Context, ws int64, l *screenList) error {
	var h [32]byte
	seq, err := a.Store.SuppressionChanges(ctx, ws, l.seq, func(c store.SuppressionChange) error {
		if len(c.Hash) != len(h) {
			return fmt.Errorf("suppression %d has a %d-byte hash; the store is damaged", c.ID, len(c.Hash))
		}
		copy(h[:], c.Hash)
		sc := suppress.Scope{Channel: c.ScopeChannel, Purpose: c.ScopePurpose}
		if c.Removed {
			if l.index.Remove(h, sc) && c.Kind == string(suppress.KindDomain) {
				l.domains.Add(-1)
			}
			return nil
		}
		if c.Kind == string(suppress.KindDomain) {
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
func (a *App) syncList(ctx context.Context, ws int64) error {
	l, err := a.list(ctx, ws)
	if err != nil {
		return err
	}
	l.sync.Lock()
	defer l.sync.Unlock()
	return a.catchUp(ctx, ws, l)
}

// Screen returns the screen of the workspace (its list and the instance-wide list). With
// fresh, both lists first catch up with the store — what every bulk screening does; without,
// the indexes are as current as the last catch-up (this process's own writes are always in).
func (a *App) Screen(ctx context.Context, ws int64, fresh bool) (*suppress.Screen, error) {
	wl, err := a.list(ctx, ws)
	if err != nil {
		return nil, err
	}
	il, err := a.list(ctx, store.InstanceWorkspace)
	if err != nil {
		return nil, err
	}
	if fresh {
		for id, l := range map[int64]*screenList{ws: wl, store.InstanceWorkspace: il} {
			l.sync.Lock()
			err := a.catchUp(ctx, id, l)
			l.sync.Unlock()
			if err != nil {
				return nil, err
			}
		}
	}
	return &suppress.Screen{
		Workspace: suppress.List{Keyer: wl.keyer, Index: wl.index, NoDomains: wl.domains.Load() == 0},
		Instance:  suppress.List{Keyer: il.keyer, Index: il.index, NoDomains: il.domains.Load() == 0},
		Options:   a.suppressOptions()}, nil
}

// suppressOptions are the canonicalisation options of the do-not-contact list.
func (a *App) suppressOptions() suppress.Options {
	return suppress.Options{Region: a.Cfg.DefaultRegion}
}

// syncLoop keeps every loaded list current with the writes of other processes.
func (a *App) syncLoop(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		a.scr.mu.Lock()
		ids := make([]int64, 0, len(a.scr.lists))
		for id := range a.scr.lists {
			ids = append(ids, id)
		}
		a.scr.mu.Unlock()
		for _, id := range ids {
			if err := a.syncList(ctx, id); err != nil && ctx.Err() == nil {
				a.Log.Error("catch up with the do-not-contact list", "workspace_id", id, "err", err)
			}
		}
	}
}

// preloadLists loads the screening index of every workspace whose do-not-contact list has
// entries (the instance's too), so that a server's first answers do not wait for a large list to be
// read; a request that comes earlier waits for its list rather than answer without it.
func (a *App) preloadLists(ctx context.Context) {
	wss, err := a.Store.SuppressionWorkspaces(ctx)
	if err != nil {
		a.Log.Error("preload do-not-contact lists", "err", err)
		return
	}
	for _, ws := range wss {
		start := time.Now()
		l, err := a.list(ctx, ws)
		if err != nil {
			if ctx.Err() == nil {
				a.Log.Error("preload do-not-contact list", "workspace_id", ws, "err", err)
			}
			continue
		}
		if n := l.index.Len(); n > 0 {
			a.Log.Info("do-not-contact list loaded", "workspace_id", ws, "identifiers", n, "took", time.Since(start).Round(time.Millisecond))
		}
	}
}

// applyOwn puts entries this process has just stored into its index without reading them
// back, when they are the very next change of the list; otherwise it catches up from the
// store (another writer's change came in between).
func (a *App) applyOwn(ctx context.Context, ws int64, added []store.Suppression) error {
	if len(added) == 0 {
		return a.syncList(ctx, ws)
	}
	l, err := a.list(ctx, ws)
	if err != nil {
		return err
	}
	l.sync.Lock()
	defer l.sync.Unlock()
	seq := added[0].AddedSeq
	if l.seq != seq-1 {
		return a.catchUp(ctx, ws, l)
	}
	var h [32]byte
	for _, e := range added {
		if e.AddedSeq != seq || len(e.Hash) != len(h) {
			return fmt.Errorf("entry %d: not of change %d", e.ID, seq)
		}
		copy(h[:], e.Hash)
		if err := l.index.AddHash(h, suppress.Scope{Channel: e.ScopeChannel, Purpose: e.ScopePurpose}); err != nil {
			return err
		}
		if e.Kind == string(suppress.KindDomain) {
			l.domains.Add(1)
		}
	}
	l.seq = seq
	return nil
}

package app

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store"
)

// Confirmation mails to one address: at most one per recipientGap and recipientDaily per day.
const (
	recipientGap   = 15 * time.Minute
	recipientDaily = 3
)

// publicList returns the id of the named list if it is open to public sign-up. An unknown
// or private list, and (with no list named) a workspace without any public list, answer
// signup.ErrNoWorkspace, as an unknown workspace does, so that the answer reveals nothing.
func (d *DOI) publicList(ctx context.Context, ws int64, name string) (*int64, error) {
	if name == "" {
		ok, err := d.Store.HasPublicList(ctx, ws)
		if err != nil || !ok {
			return nil, cmpErr(err, signup.ErrNoWorkspace)
		}
		return nil, nil
	}
	l, err := d.Store.ListByName(ctx, ws, name)
	if errors.Is(err, store.ErrNotFound) || err == nil && !l.Public {
		return nil, signup.ErrNoWorkspace
	} else if err != nil {
		return nil, err
	}
	return &l.ID, nil
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// suppressed reports whether the address is on the do-not-contact list for e-mail (for
// any ticked purpose); such an address is sent nothing.
func (d *DOI) suppressed(ctx context.Context, ws int64, ch signup.Checked) (bool, error) {
	if d.Suppressed == nil {
		return false, nil
	}
	return d.Suppressed(ctx, ws, ch.Canonical, ch.Purposes)
}

// signupPlan is what a sign-up request changes, given what is recorded already.
type signupPlan struct {
	contact *contact.Contact // nil: a new address
	grant   []string         // purposes whose consent is not active: each gets a granted entry
	open    *store.Signup    // an open sign-up this request repeats: its link is renewed
	nothing bool             // nothing to confirm: no rows, no mail
}

// plan decides what a sign-up records. It never appends granted over an active consent
// (granted or confirmed): a repeated sign-up cannot weaken what the person confirmed.
func (d *DOI) plan(ctx context.Context, ws int64, ch signup.Checked, listID *int64, at time.Time) (signupPlan, error) {
	c, err := d.Store.ContactByEmail(ctx, ws, ch.Canonical)
	if errors.Is(err, store.ErrNotFound) {
		return signupPlan{grant: ch.Purposes}, nil
	} else if err != nil {
		return signupPlan{}, err
	}
	p := signupPlan{contact: &c}
	for _, pu := range ch.Purposes {
		st, err := d.Store.ConsentState(ctx, ws, c.ID, pu, consent.Email)
		if err != nil {
			return signupPlan{}, err
		}
		if !st.Active() {
			p.grant = append(p.grant, pu)
		}
	}
	open, err := d.Store.OpenSignups(ctx, ws, c.ID, at)
	if err != nil {
		return signupPlan{}, err
	}
	for i, sg := range open {
		if sameList(sg.ListID, listID) && slices.Equal(sg.Purposes, ch.Purposes) {
			p.open = &open[i]
			return p, nil
		}
	}
	if len(p.grant) > 0 {
		return p, nil
	}
	if listID == nil {
		p.nothing = true
		return p, nil
	}
	lists, err := d.Store.ContactLists(ctx, ws, c.ID)
	p.nothing = slices.Contains(lists, *listID)
	return p, err
}

func sameList(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// recipients returns the per-address limiter, creating it on first use.
func (d *DOI) recipients() *recipientLimiter {
	d.once.Do(func() { d.rcpt = &recipientLimiter{sent: map[recipientKey][]time.Time{}} })
	return d.rcpt
}

type recipientKey struct {
	ws      int64
	address string
}

// recipientLimiter bounds the confirmation mails one address gets, whoever asks for them.
// It is per process: two servers behind one balancer each allow the limit.
type recipientLimiter struct {
	mu    sync.Mutex
	sent  map[recipientKey][]time.Time
	swept time.Time
}

// reserve takes one mail of the address's allowance at now, or reports that none is left.
func (l *recipientLimiter) reserve(ws int64, address string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Hour {
		for k, ts := range l.sent {
			if now.Sub(ts[len(ts)-1]) >= 24*time.Hour {
				delete(l.sent, k)
			}
		}
		l.swept = now
	}
	k := recipientKey{ws, address}
	recent := slices.DeleteFunc(l.sent[k], func(t time.Time) bool { return now.Sub(t) >= 24*time.Hour })
	if len(recent) >= recipientDaily || len(recent) > 0 && now.Sub(recent[len(recent)-1]) < recipientGap {
		l.sent[k] = recent
		return false
	}
	l.sent[k] = append(recent, now)
	return true
}

// release gives back a mail reserved at the time at that was not sent.
func (l *recipientLimiter) release(ws int64, address string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := recipientKey{ws, address}
	if i := slices.Index(l.sent[k], at); i >= 0 {
		l.sent[k] = slices.Delete(l.sent[k], i, i+1)
	}
}

// AllowedOrigins returns the web origins whose pages may call the workspace's JSON sign-up
// API from a browser (the public.cors_origins setting); none for an unknown workspace.
func (d *DOI) AllowedOrigins(ctx context.Context, workspace string) ([]string, error) {
	w, err := d.Store.WorkspaceByName(ctx, workspace)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	v, ok, err := d.Store.Setting(ctx, w.ID, SettingCORSOrigins)
	if err != nil || !ok {
		return nil, err
	}
	return signup.ParseOrigins(v)
}

package app

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store"
)

// DefaultDOIWindow is how long a confirmation link works (and a sign-up stays pending).
const DefaultDOIWindow = 7 * 24 * time.Hour

// DOI is the double opt-in service behind the public subscribe and confirm pages.
type DOI struct {
	Store     *store.Store
	Sender    deliver.Sender
	From      string        // the confirmation e-mail's From
	PublicURL string        // base URL of the links, e.g. https://lists.example.com
	Window    time.Duration // how long a link works; 0 means DefaultDOIWindow
	Log       *slog.Logger
	Now       func() time.Time // nil means time.Now
	// Suppressed reports whether an address is on the do-not-contact list for e-mail (for
	// any of the purposes); such an address is sent nothing. nil screens nothing.
	Suppressed func(ctx context.Context, ws int64, email string, purposes []string) (bool, error)

	once sync.Once
	rcpt *recipientLimiter
}

func (d *DOI) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

func (d *DOI) window() time.Duration {
	if d.Window > 0 {
		return d.Window
	}
	return DefaultDOIWindow
}

// Form returns what the workspace's subscribe page shows: one unticked box per marketing
// purpose. A workspace without public lists, or a list that is not public, has no page
// (signup.ErrNoWorkspace, as for an unknown workspace).
func (d *DOI) Form(ctx context.Context, workspace, list string) (signup.Form, error) {
	w, purposes, err := d.workspace(ctx, workspace)
	if err != nil {
		return signup.Form{}, err
	}
	if _, err := d.publicList(ctx, w.ID, list); err != nil {
		return signup.Form{}, err
	}
	return signup.Form{Workspace: w.Name, Purposes: signup.Offered(purposes), FormID: signup.FormID,
		FormVersion: signup.FormVersion(purposes)}, nil
}

func (d *DOI) workspace(ctx context.Context, name string) (store.Workspace, []consent.Purpose, error) {
	if !validWorkspaceName(name) { // never a name in a URL that could be a path or markup
		return store.Workspace{}, nil, signup.ErrNoWorkspace
	}
	w, err := d.Store.WorkspaceByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.Workspace{}, nil, signup.ErrNoWorkspace
	}
	if err != nil {
		return store.Workspace{}, nil, err
	}
	purposes, err := d.Store.Purposes(ctx, w.ID)
	return w, purposes, err
}

// Subscribe validates a sign-up, records it (source, contact, sign-up, one granted entry per
// ticked purpose whose consent is not already active) and sends the confirmation e-mail. A
// known address is treated exactly like a new one, so that the answer does not reveal who is
// on a list: an address on the do-not-contact list, one that was sent a link moments ago, or
// one with nothing left to confirm gets the same answer and no mail. A repeat of an open
// sign-up renews its link instead of writing new rows. Only lists marked public can be
// signed up to; an unknown or private list, and a workspace without public lists, give
// signup.ErrNoWorkspace alike.
func (d *DOI) Subscribe(ctx context.Context, in signup.Submission) error {
	w, purposes, err := d.workspace(ctx, in.Workspace)
	if err != nil {
		return err
	}
	listID, err := d.publicList(ctx, w.ID, in.List)
	if err != nil {
		return err
	}
	checked, err := signup.Check(in.Request, purposes)
	if err != nil {
		return err
	}
	if blocked, err := d.suppressed(ctx, w.ID, checked); err != nil || blocked {
		return err
	}
	at := d.now()
	if !d.recipients().reserve(w.ID, checked.Canonical, at) {
		return nil
	}
	plan, err := d.plan(ctx, w.ID, checked, listID, at)
	if err != nil || plan.nothing {
		return err
	}
	secret, err := signup.NewSecret()
	if err != nil {
		return err
	}
	sg := plan.open
	if sg != nil {
		sg.ExpiresAt = at.Add(d.window())
		if err := d.Store.RenewSignupLink(ctx, w.ID, sg.ID, signup.SecretHash(secret), sg.ExpiresAt); err != nil {
			return err
		}
	} else if sg, err = d.record(ctx, w.ID, in, checked, listID, plan, secret, at); err != nil {
		return err
	}
	key, err := d.Store.SigningKey(ctx, w.ID, signup.KeyName)
	if err != nil {
		return err
	}
	link := strings.TrimRight(d.PublicURL, "/") + "/confirm?token=" + url.QueryEscape(signup.Token{Workspace: w.ID, Signup: sg.ID, Secret: secret}.Encode(key))
	if err := d.Sender.Send(ctx, confirmationMail(d.From, checked.Email, w.Name, checked.Purposes, link, sg.ExpiresAt)); err != nil {
		d.log().ErrorContext(ctx, "send confirmation e-mail", "workspace_id", w.ID, "signup_id", sg.ID, "err", err)
		d.recipients().release(w.ID, checked.Canonical, at) // not sent: the person may try again at once
		return signup.ErrMailFailed
	}
	return nil
}

// record writes a new sign-up: its source, the contact if new, the sign-up and a granted
// entry for each purpose the plan says needs one.
func (d *DOI) record(ctx context.Context, ws int64, in signup.Submission, checked signup.Checked, listID *int64,
	p signupPlan, secret [32]byte, at time.Time) (*store.Signup, error) {
	ip, ua := evidenceIP(in.IP), signup.Clean(in.UserAgent, 512)
	wording := map[string]string{}
	for _, pu := range checked.Purposes {
		wording[pu] = in.Wording[pu]
	}
	wordingJSON, _ := json.Marshal(wording)
	src, err := d.Store.CreateSourceOf(ctx, contact.Source{WorkspaceID: ws, Type: "web-form-double-opt-in",
		Description: "double opt-in sign-up (" + in.FormID + ")", CollectedBy: "clearlist public form", CollectedAt: &at,
		Evidence: map[string]string{"form_url": signup.Clean(in.FormURL, 1024), "form_id": in.FormID,
			"form_version": in.FormVersion, "wording": string(wordingJSON)}})
	if err != nil {
		return nil, err
	}
	c := p.contact
	if c == nil {
		created, err := d.contact(ctx, ws, checked, src.ID)
		if err != nil {
			return nil, err
		}
		c = &created
	}
	var entries []consent.Entry
	for _, pu := range p.grant {
		entries = append(entries, consent.Entry{WorkspaceID: ws, ContactID: c.ID, Purpose: pu, Channel: consent.Email,
			Action: consent.Granted, Basis: consent.BasisDoubleOptIn, SourceID: src.ID, Actor: "public:subscribe",
			Evidence: consent.Evidence{Wording: wording[pu], FormID: in.FormID, FormVersion: in.FormVersion, IP: ip,
				UserAgent: ua, Timestamp: at, Collector: "clearlist public form"}})
	}
	sg, err := d.Store.CreateSignup(ctx, store.Signup{WorkspaceID: ws, ContactID: c.ID, SourceID: src.ID, ListID: listID,
		Purposes: checked.Purposes, FormID: in.FormID, FormVersion: in.FormVersion, Wording: wording,
		TokenHash: signup.SecretHash(secret), RequestedAt: at, RequestIP: ip, RequestUA: ua, ExpiresAt: at.Add(d.window())}, entries)
	return &sg, err
}

// contact finds the contact by address or creates it with the sign-up's source.
func (d *DOI) contact(ctx context.Context, ws int64, ch signup.Checked, sourceID int64) (contact.Contact, error) {
	c, err := d.Store.ContactByEmail(ctx, ws, ch.Canonical)
	if !errors.Is(err, store.ErrNotFound) {
		return c, err
	}
	c, err = d.Store.CreateContact(ctx, contact.Contact{WorkspaceID: ws, Email: ch.Email, EmailCanonical: ch.Canonical,
		FirstSourceID: sourceID, Attrs: map[string]any{}}, nil)
	if errors.Is(err, store.ErrConflict) { // signed up twice at the same moment
		return d.Store.ContactByEmail(ctx, ws, ch.Canonical)
	}
	return c, err
}

func (d *DOI) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}

// evidenceIP keeps an address only if it parses: evidence must be what it claims to be.
func evidenceIP(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	return a.Unmap().String()
}

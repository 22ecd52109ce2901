package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
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

// Form returns what the workspace's subscribe page shows: one unticked box per marketing purpose.
func (d *DOI) Form(ctx context.Context, workspace string) (signup.Form, error) {
	w, purposes, err := d.workspace(ctx, workspace)
	if err != nil {
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
// ticked purpose) and sends the confirmation e-mail. A known address is treated exactly like
// a new one, so that the answer does not reveal who is on a list.
func (d *DOI) Subscribe(ctx context.Context, in signup.Submission) error {
	w, purposes, err := d.workspace(ctx, in.Workspace)
	if err != nil {
		return err
	}
	checked, err := signup.Check(in.Request, purposes)
	if err != nil {
		return err
	}
	var listID *int64
	if in.List != "" {
		l, err := d.Store.ListByName(ctx, w.ID, in.List)
		if errors.Is(err, store.ErrNotFound) {
			return &signup.InvalidError{Field: "list", Message: "there is no list of that name to sign up for"}
		} else if err != nil {
			return err
		}
		listID = &l.ID
	}
	at := d.now()
	ip, ua := evidenceIP(in.IP), signup.Clean(in.UserAgent, 512)
	wording := map[string]string{}
	for _, p := range checked.Purposes {
		wording[p] = in.Wording[p]
	}
	wordingJSON, _ := json.Marshal(wording)
	src, err := d.Store.CreateSource(ctx, contact.Source{WorkspaceID: w.ID, Type: "web-form-double-opt-in",
		Description: "double opt-in sign-up (" + in.FormID + ")", CollectedBy: "clearlist public form", CollectedAt: &at,
		Evidence: map[string]string{"form_url": signup.Clean(in.FormURL, 1024), "form_id": in.FormID,
			"form_version": in.FormVersion, "wording": string(wordingJSON)}})
	if err != nil {
		return err
	}
	c, err := d.contact(ctx, w.ID, checked, src.ID)
	if err != nil {
		return err
	}
	secret, err := signup.NewSecret()
	if err != nil {
		return err
	}
	var entries []consent.Entry
	for _, p := range checked.Purposes {
		entries = append(entries, consent.Entry{WorkspaceID: w.ID, ContactID: c.ID, Purpose: p, Channel: consent.Email,
			Action: consent.Granted, Basis: consent.BasisDoubleOptIn, SourceID: src.ID, Actor: "public:subscribe",
			Evidence: consent.Evidence{Wording: wording[p], FormID: in.FormID, FormVersion: in.FormVersion, IP: ip,
				UserAgent: ua, Timestamp: at, Collector: "clearlist public form"}})
	}
	sg, err := d.Store.CreateSignup(ctx, store.Signup{WorkspaceID: w.ID, ContactID: c.ID, SourceID: src.ID, ListID: listID,
		Purposes: checked.Purposes, FormID: in.FormID, FormVersion: in.FormVersion, Wording: wording,
		TokenHash: signup.SecretHash(secret), RequestedAt: at, RequestIP: ip, RequestUA: ua, ExpiresAt: at.Add(d.window())}, entries)
	if err != nil {
		return err
	}
	key, err := d.Store.SigningKey(ctx, w.ID, signup.KeyName)
	if err != nil {
		return err
	}
	link := strings.TrimRight(d.PublicURL, "/") + "/confirm?token=" + url.QueryEscape(signup.Token{Workspace: w.ID, Signup: sg.ID, Secret: secret}.Encode(key))
	if err := d.Sender.Send(ctx, confirmationMail(d.From, checked.Email, w.Name, checked.Purposes, link, sg.ExpiresAt)); err != nil {
		d.log().ErrorContext(ctx, "send confirmation e-mail", "workspace_id", w.ID, "signup_id", sg.ID, "err", err)
		return signup.ErrMailFailed
	}
	return nil
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

func confirmationMail(from, to, workspace string, purposes []string, link string, expires time.Time) deliver.Message {
	text := fmt.Sprintf(`Hello,

someone, hopefully you, asked to receive e-mail from %s about: %s.

To confirm, open this link and press "Confirm my subscription":

%s

The link works until %s. If you did not ask for this, ignore this message:
nothing will be sent to you.
`, workspace, strings.Join(purposes, ", "), link, expires.Format("2 January 2006 15:04 MST"))
	return deliver.Message{From: from, To: to, Subject: "Please confirm your subscription", Text: text}
}

package app

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store"
)

// Check reports whether a confirmation link is valid and still usable, without using it:
// the confirm page asks for a button press so that link scanners do not confirm.
func (d *DOI) Check(ctx context.Context, token string) error {
	_, err := d.open(ctx, token)
	return err
}

// open verifies the link and returns its sign-up if it is still open. Every failure is
// signup.ErrLinkInvalid, except the store's own errors.
func (d *DOI) open(ctx context.Context, token string) (store.Signup, error) {
	t, err := signup.Decode(token)
	if err != nil {
		return store.Signup{}, err
	}
	key, err := d.Store.ExistingSigningKey(ctx, t.Workspace, signup.KeyName)
	if errors.Is(err, store.ErrNotFound) {
		return store.Signup{}, signup.ErrLinkInvalid
	} else if err != nil {
		return store.Signup{}, err
	}
	if t, err = signup.Verify(token, key); err != nil {
		return store.Signup{}, err
	}
	sg, err := d.Store.SignupByTokenHash(ctx, t.Workspace, signup.SecretHash(t.Secret))
	if errors.Is(err, store.ErrNotFound) || err == nil && sg.ID != t.Signup {
		return store.Signup{}, signup.ErrLinkInvalid
	} else if err != nil {
		return store.Signup{}, err
	}
	if sg.ConfirmedAt != nil || sg.ExpiredAt != nil || !d.now().Before(sg.ExpiresAt) {
		return store.Signup{}, signup.ErrLinkInvalid
	}
	return sg, nil
}

// requestStep is the first step's evidence, kept in each confirmed entry's document
// reference so that the entry alone shows both steps.
type requestStep struct {
	Signup      int64     `json:"signup"`
	RequestedAt time.Time `json:"requested_at"`
	RequestIP   string    `json:"request_ip,omitempty"`
	RequestUA   string    `json:"request_user_agent,omitempty"`
}

// Confirm uses a confirmation link: it records one confirmed entry per purpose (with the IP,
// user agent and time of both steps) and adds the contact to the sign-up's list. A link that
// is forged, expired, of another workspace or used already gives signup.ErrLinkInvalid and
// records nothing.
func (d *DOI) Confirm(ctx context.Context, token string, step signup.Step) error {
	sg, err := d.open(ctx, token)
	if err != nil {
		return err
	}
	at := d.now()
	ip, ua := evidenceIP(step.IP), signup.Clean(step.UserAgent, 512)
	ref, _ := json.Marshal(requestStep{Signup: sg.ID, RequestedAt: sg.RequestedAt, RequestIP: sg.RequestIP, RequestUA: sg.RequestUA})
	var entries []consent.Entry
	for _, p := range sg.Purposes {
		entries = append(entries, consent.Entry{WorkspaceID: sg.WorkspaceID, ContactID: sg.ContactID, Purpose: p,
			Channel: consent.Email, Action: consent.Confirmed, Basis: consent.BasisDoubleOptIn, SourceID: sg.SourceID,
			Actor: "public:confirm", Evidence: consent.Evidence{Wording: sg.Wording[p], FormID: sg.FormID,
				FormVersion: sg.FormVersion, IP: ip, UserAgent: ua, Timestamp: at, DocumentRef: string(ref),
				Collector: "clearlist confirm page"}})
	}
	err = d.Store.ConfirmSignup(ctx, sg.WorkspaceID, sg.ID, at, ip, ua, entries)
	if errors.Is(err, store.ErrSignupClosed) { // confirmed by a concurrent request
		return signup.ErrLinkInvalid
	}
	return err
}

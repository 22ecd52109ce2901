package signup

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/errs"
)

// Check reports whether a confirmation link is valid and still usable, without using it:
// the confirm page asks for a button press so that link scanners do not confirm.
func (s *Service) Check(ctx context.Context, token string) error {
	_, err := s.open(ctx, token)
	return err
}

// open verifies the link and returns its sign-up if it is still open. Every failure is
// ErrLinkInvalid, except the store's own errors.
func (s *Service) open(ctx context.Context, token string) (Signup, error) {
	t, err := Decode(token)
	if err != nil {
		return Signup{}, err
	}
	key, err := s.st.ExistingSigningKey(ctx, t.Workspace, KeyName)
	if errors.Is(err, errs.ErrNotFound) {
		return Signup{}, ErrLinkInvalid
	} else if err != nil {
		return Signup{}, err
	}
	if t, err = Verify(token, key); err != nil {
		return Signup{}, err
	}
	sg, err := s.st.SignupByTokenHash(ctx, t.Workspace, SecretHash(t.Secret))
	if errors.Is(err, errs.ErrNotFound) || err == nil && sg.ID != t.Signup {
		return Signup{}, ErrLinkInvalid
	} else if err != nil {
		return Signup{}, err
	}
	if sg.ConfirmedAt != nil || sg.ExpiredAt != nil || !s.now().Before(sg.ExpiresAt) {
		return Signup{}, ErrLinkInvalid
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
// user agent and time of both steps) and adds the contact to the sign-up's list, in one
// transaction. A link that is forged, expired, of another workspace or used already gives
// ErrLinkInvalid and records nothing.
func (s *Service) Confirm(ctx context.Context, token string, step Step) error {
	sg, err := s.open(ctx, token)
	if err != nil {
		return err
	}
	at := s.now()
	ip, ua := evidenceIP(step.IP), Clean(step.UserAgent, 512)
	ref, _ := json.Marshal(requestStep{Signup: sg.ID, RequestedAt: sg.RequestedAt, RequestIP: sg.RequestIP, RequestUA: sg.RequestUA})
	var entries []consent.Entry
	for _, p := range sg.Purposes {
		entries = append(entries, consent.Entry{WorkspaceID: sg.WorkspaceID, ContactID: sg.ContactID, Purpose: p,
			Channel: consent.Email, Action: consent.Confirmed, Basis: consent.BasisDoubleOptIn, SourceID: sg.SourceID,
			Actor: "public:confirm", Evidence: consent.Evidence{Wording: sg.Wording[p], FormID: sg.FormID,
				FormVersion: sg.FormVersion, IP: ip, UserAgent: ua, Timestamp: at, DocumentRef: string(ref),
				Collector: "clearlist confirm page"}})
	}
	err = s.st.ConfirmSignup(ctx, sg.WorkspaceID, sg.ID, at, ip, ua, entries)
	if errors.Is(err, ErrClosed) { // confirmed by a concurrent request
		return ErrLinkInvalid
	}
	return err
}

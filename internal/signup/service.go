package signup

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/workspace"
)

// DefaultWindow is how long a confirmation link works (and a sign-up stays pending).
const DefaultWindow = 7 * 24 * time.Hour

// Store is what the double opt-in service reads and writes; the store implements it.
// errs.ErrNotFound means no such row in the workspace; ErrClosed a sign-up no longer open.
type Store interface {
	WorkspaceID(ctx context.Context, name string) (int64, error)
	WorkspaceName(ctx context.Context, id int64) (string, error)
	Purposes(ctx context.Context, ws int64) ([]consent.Purpose, error)
	Setting(ctx context.Context, ws int64, name string) (value string, ok bool, err error)
	HasPublicList(ctx context.Context, ws int64) (bool, error)
	ListByName(ctx context.Context, ws int64, name string) (contact.List, error)
	ContactByEmail(ctx context.Context, ws int64, canonical string) (contact.Contact, error)
	Contact(ctx context.Context, ws, id int64) (contact.Contact, error)
	ContactLists(ctx context.Context, ws, id int64) ([]int64, error)
	ConsentState(ctx context.Context, ws, contactID int64, purpose string, ch consent.Channel) (consent.Status, error)
	// SigningKey returns the workspace's key of that name, creating it on first use;
	// ExistingSigningKey only reads it (errs.ErrNotFound when there is none).
	SigningKey(ctx context.Context, ws int64, name string) ([]byte, error)
	ExistingSigningKey(ctx context.Context, ws int64, name string) ([]byte, error)

	// WriteSignup records a sign-up request's source, new contact, sign-up and granted
	// entries in one transaction; a new contact whose address is taken gives
	// errs.ErrConflict and writes nothing.
	WriteSignup(ctx context.Context, w Write) (Signup, error)
	SignupByTokenHash(ctx context.Context, ws int64, hash []byte) (Signup, error)
	OpenSignups(ctx context.Context, ws, contactID int64, now time.Time) ([]Signup, error)
	// RenewSignupLink gives an open sign-up a new link, expiry and language (ErrClosed when
	// it is no longer open).
	RenewSignupLink(ctx context.Context, ws, id int64, tokenHash []byte, expires time.Time, lang string) error
	Signup(ctx context.Context, ws, id int64) (Signup, error)
	// ConfirmSignup closes the sign-up with its confirmed entries and list membership in one
	// transaction; ExpireSignup closes it with its expired entries.
	ConfirmSignup(ctx context.Context, ws, id int64, at time.Time, ip, ua string, entries []consent.Entry) error
	ExpireSignup(ctx context.Context, ws, id int64, at time.Time, entries []consent.Entry) error
	DueSignups(ctx context.Context, ws int64, now, cutoff time.Time) ([]Signup, error)
	OpenSignupWorkspaces(ctx context.Context) ([]int64, error)
	UnwelcomedSignups(ctx context.Context, ws int64, cutoff time.Time) ([]Signup, error)
	MarkSignupWelcomed(ctx context.Context, ws, id int64, at time.Time) error
}

// Screener screens an address against the do-not-contact list (the workspace's and the
// instance's) for a channel and any of the purposes; an address the list cannot read
// counts as suppressed. suppress.Service implements it.
type Screener interface {
	Suppressed(ctx context.Context, ws int64, kind, value, channel string, purposes []string) (bool, error)
}

// Service is the double opt-in service behind the public subscribe and confirm pages, and
// the expiry of sign-ups never confirmed. Set the exported fields before first use; it is
// safe for concurrent use after that.
type Service struct {
	Sender    deliver.Sender // the confirmation e-mail's transport
	From      string         // the confirmation e-mail's From
	PublicURL string         // base URL of the links, e.g. https://lists.example.com
	Window    time.Duration  // how long a link works; 0 means DefaultWindow
	Log       *slog.Logger   // nil means slog.Default()
	Now       func() time.Time

	st     Store
	screen Screener
	once   sync.Once
	rcpt   *recipientLimiter
}

// New returns the service over st, screening addresses through scr (nil screens nothing).
func New(st Store, scr Screener) *Service { return &Service{st: st, screen: scr} }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) window() time.Duration {
	if s.Window > 0 {
		return s.Window
	}
	return DefaultWindow
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Form returns what the workspace's subscribe page shows: one unticked box per marketing
// purpose. A workspace without public lists, or a list that is not public, has no page
// (ErrNoWorkspace, as for an unknown workspace).
func (s *Service) Form(ctx context.Context, name, list string) (Form, error) {
	ws, purposes, err := s.workspace(ctx, name)
	if err != nil {
		return Form{}, err
	}
	if _, err := s.publicList(ctx, ws, list); err != nil {
		return Form{}, err
	}
	return Form{Workspace: name, Purposes: Offered(purposes), FormID: FormID, FormVersion: FormVersion(purposes)}, nil
}

func (s *Service) workspace(ctx context.Context, name string) (int64, []consent.Purpose, error) {
	if !workspace.IsValidName(name) { // never a name in a URL that could be a path or markup
		return 0, nil, ErrNoWorkspace
	}
	ws, err := s.st.WorkspaceID(ctx, name)
	if errors.Is(err, errs.ErrNotFound) {
		return 0, nil, ErrNoWorkspace
	}
	if err != nil {
		return 0, nil, err
	}
	purposes, err := s.st.Purposes(ctx, ws)
	return ws, purposes, err
}

// AllowedOrigins returns the web origins whose pages may call the workspace's JSON sign-up
// API from a browser (the workspace.SettingCORSOrigins setting); none for an unknown workspace.
func (s *Service) AllowedOrigins(ctx context.Context, name string) ([]string, error) {
	ws, err := s.st.WorkspaceID(ctx, name)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	v, ok, err := s.st.Setting(ctx, ws, workspace.SettingCORSOrigins)
	if err != nil || !ok {
		return nil, err
	}
	return workspace.ParseOrigins(v)
}

package user

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/errs"
)

// Session is a signed-in user as a request sees it.
type Session struct {
	UserID      int64
	Email       string
	Name        string
	Disabled    bool
	WorkspaceID int64
	Workspace   string
	Role        string // "" when the user has no role in the workspace (any more)
	CreatedAt   time.Time
	LastSeenAt  time.Time
	ExpiresAt   time.Time
}

// NewSession is a session about to start at a successful login.
type NewSession struct {
	IDHash      []byte
	UserID      int64
	WorkspaceID int64
	At          time.Time
	ExpiresAt   time.Time
	Replaces    []byte   // the hash of the session the browser had before (ended: no fixation)
	Rehash      string   // a new password hash when the stored one has old parameters; "" keeps it
	Clear       []string // the throttle keys a success clears
	IP          string   // the client address, recorded as a keyed hash
	TOTPStep    int64    // the step of the code used (0: none); a code already used is refused
	Recovery    []byte   // the hash of the recovery code used instead of a TOTP code (nil: none); used once
}

// LoginFailure is a failed login to record with its audit entry and throttle counts.
type LoginFailure struct {
	UserID int64  // 0 for an unknown account
	Email  string // as typed (recorded as a keyed hash: it may be a password typed in the wrong box)
	Reason string // unknown, password, code, disabled, no-role
	At     time.Time
	Keys   []string                  // the throttle keys the failure counts against
	Next   func(t Throttle) Throttle // the row after this failure (Policy.Next)
}

// Login is a sign-in attempt.
type Login struct {
	Email, Password, Code string
	IP                    string // the client address (throttle key and audit)
	Workspace             string // the workspace to work in; "" means the first of the account's
	Previous              string // the session id the browser sent, if any: it is ended
}

// idBytes is the size of a session id: 256 random bits.
const idBytes = 32

// hashID returns what the store keeps of a session id.
func hashID(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// CSRFToken returns the form token of a session: derived from its id one way, so a token
// shown in a page never reveals the id.
func CSRFToken(id string) string {
	h := sha256.Sum256([]byte("clearlist csrf\x00" + id))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// dummyHash is verified against when the account does not exist, so that an unknown address
// takes as long as a wrong password.
var dummyHash, _ = DefaultParams.Hash("clearlist dummy password")

// Login checks an attempt and starts a new session: it returns the session and its id (for
// the cookie; stored only as a hash). A failure is recorded (audited, throttled) and answered
// with ErrBadCredentials, ErrDisabled, ErrNoRole or a *ThrottledError.
func (s *Service) Login(ctx context.Context, in Login) (Session, string, error) {
	now := s.opt.Now().UTC()
	email, _ := NormalEmail(in.Email)
	keys := []string{AccountKey(email), AddressKey(in.IP)}
	if email == "" {
		keys[0] = AccountKey(in.Email)
	}
	ts, err := s.st.LoginThrottles(ctx, keys)
	if err != nil {
		return Session{}, "", err
	}
	for _, t := range ts {
		if t.LockedUntil.After(now) {
			return Session{}, "", &ThrottledError{Until: t.LockedUntil}
		}
	}
	fail := func(id int64, reason string, answer error) (Session, string, error) {
		p := s.opt.Policy
		err := s.st.RecordLoginFailure(ctx, LoginFailure{UserID: id, Email: in.Email, Reason: reason, At: now, Keys: keys,
			Next: func(t Throttle) Throttle { return p.Next(t, p.free(t.Key), now) }})
		if err != nil {
			return Session{}, "", err
		}
		return Session{}, "", answer
	}
	c, err := s.st.UserCredentials(ctx, email)
	if errors.Is(err, errs.ErrNotFound) || email == "" {
		_, _ = s.verifyPassword(ctx, dummyHash, in.Password)
		return fail(0, "unknown", ErrBadCredentials)
	}
	if err != nil {
		return Session{}, "", err
	}
	ok, err := s.verifyPassword(ctx, c.PasswordHash, in.Password)
	if err != nil && !errors.Is(err, errBadHash) {
		return Session{}, "", err
	}
	if !ok {
		return fail(c.ID, "password", ErrBadCredentials)
	}
	var step int64
	var recovery []byte
	if c.TOTPSecret != "" {
		var ok bool
		// RFC 6238 §5.2: a code that signed in once is not accepted again (a shoulder-surfed
		// or phished code is worthless once used).
		step, ok = matchCode(c.TOTPSecret, in.Code, now)
		switch {
		case ok && step > c.TOTPStep:
		case !ok && isRecoveryCode(in.Code):
			// A recovery code instead: the store marks it used in the login's transaction, or
			// refuses it (unknown or used already).
			step, recovery = 0, recoveryHash(c.ID, in.Code)
		default:
			return fail(c.ID, "code", ErrBadCredentials)
		}
	}
	if c.Disabled {
		return fail(c.ID, "disabled", ErrDisabled)
	}
	m, ok := pick(c.Roles, in.Workspace)
	if !ok {
		return fail(c.ID, "no-role", ErrNoRole)
	}
	id, err := newID()
	if err != nil {
		return Session{}, "", err
	}
	ns := NewSession{IDHash: hashID(id), UserID: c.ID, WorkspaceID: m.WorkspaceID, At: now,
		ExpiresAt: now.Add(s.opt.Lifetime), Clear: keys[:1], IP: in.IP, TOTPStep: step, Recovery: recovery}
	if in.Previous != "" {
		ns.Replaces = hashID(in.Previous)
	}
	if s.opt.Params.NeedsRehash(c.PasswordHash) {
		if ns.Rehash, err = s.hashPassword(ctx, in.Password); err != nil {
			return Session{}, "", err
		}
	}
	ctx = audit.WithActor(ctx, userActor(ctx, c.User, m.Role))
	if err := s.st.StartSession(ctx, ns); errors.Is(err, errs.ErrConflict) && step > 0 {
		return fail(c.ID, "code", ErrBadCredentials) // the same code signed in meanwhile
	} else if errors.Is(err, errs.ErrNotFound) && recovery != nil {
		return fail(c.ID, "code", ErrBadCredentials) // no such recovery code, or used already
	} else if err != nil {
		return Session{}, "", err
	}
	return Session{UserID: c.ID, Email: c.Email, Name: c.Name, WorkspaceID: m.WorkspaceID, Workspace: m.Workspace,
		Role: m.Role, CreatedAt: now, LastSeenAt: now, ExpiresAt: ns.ExpiresAt}, id, nil
}

// pick returns the membership of the named workspace, or the first one when name is "".
func pick(ms []Membership, name string) (Membership, bool) {
	for _, m := range ms {
		if name == "" || m.Workspace == name {
			return m, true
		}
	}
	return Membership{}, false
}

func newID() (string, error) {
	b := make([]byte, idBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// userActor is the audit actor of a signed-in user, keeping the request id of ctx's actor.
func userActor(ctx context.Context, u User, role string) audit.Actor {
	return audit.Actor{Kind: audit.User, ID: itoa(u.ID), Name: u.Email, Role: role, RequestID: audit.ActorFrom(ctx).RequestID}
}

// Actor is the audit actor of a session's requests.
func (ss Session) Actor(requestID string) audit.Actor {
	return audit.Actor{Kind: audit.User, ID: itoa(ss.UserID), Name: ss.Email, Role: ss.Role, RequestID: requestID}
}

// Session returns the live session of id: known, not expired, used within the idle timeout, of
// an enabled user who still has a role in its workspace. Its last use is recorded (at most
// once a minute). Anything else is ErrSessionEnded.
func (s *Service) Session(ctx context.Context, id string) (Session, error) {
	if id == "" || len(id) > 64 {
		return Session{}, ErrSessionEnded
	}
	h := hashID(id)
	ss, err := s.st.SessionByHash(ctx, h)
	if errors.Is(err, errs.ErrNotFound) {
		return Session{}, ErrSessionEnded
	}
	if err != nil {
		return Session{}, err
	}
	now := s.opt.Now().UTC()
	if ss.Disabled || ss.Role == "" || !now.Before(ss.ExpiresAt) || now.Sub(ss.LastSeenAt) >= s.opt.Idle {
		return Session{}, ErrSessionEnded
	}
	if now.Sub(ss.LastSeenAt) >= time.Minute {
		if err := s.st.TouchSession(ctx, h, now); err != nil {
			return Session{}, err
		}
		ss.LastSeenAt = now
	}
	return ss, nil
}

// Logout ends the session of id (audited as its user's); an unknown or ended one is no error.
func (s *Service) Logout(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	ss, err := s.st.SessionByHash(ctx, hashID(id))
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx = audit.WithActor(ctx, ss.Actor(audit.ActorFrom(ctx).RequestID))
	err = s.st.EndSession(ctx, hashID(id))
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	return err
}

package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/user"
)

// Users signs people in to the admin UI and checks their sessions (user.Service).
type Users interface {
	Login(ctx context.Context, in user.Login) (user.Session, string, error)
	Session(ctx context.Context, id string) (user.Session, error)
	Logout(ctx context.Context, id string) error
}

// The session cookie: __Host- (Secure, Path=/, no Domain: no subdomain can set or read it) when
// the server is reached over HTTPS; browsers refuse that prefix over plain HTTP, where the
// development server runs.
const (
	sessionCookie       = "clearlist_session"
	sessionCookieSecure = "__Host-clearlist_session"
)

// uiPrefix is where the admin UI lives; every page under it needs a session.
const uiPrefix = "/ui/"

// https reports whether the request came over HTTPS (directly, or behind a proxy that the
// configured public URL says terminates TLS).
func (s *Server) https(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.cfg.PublicURL, "https://")
}

func (s *Server) cookieName(r *http.Request) string {
	if s.https(r) {
		return sessionCookieSecure
	}
	return sessionCookie
}

// sessionID returns the session id the browser sent, or "".
func (s *Server) sessionID(r *http.Request) string {
	c, err := r.Cookie(s.cookieName(r))
	if err != nil {
		return ""
	}
	return c.Value
}

// setSession sends the session cookie (maxAge < 0 deletes it).
func (s *Server) setSession(w http.ResponseWriter, r *http.Request, id string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r), Value: id, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.https(r), SameSite: http.SameSiteLaxMode})
}

// sessionKey is the context key of the request's user.Session; sessionIDKey of its id.
type (
	sessionKey   struct{}
	sessionIDKey struct{}
)

// session returns the signed-in user of a request behind requireSession.
func sessionOf(ctx context.Context) (user.Session, string) {
	ss, _ := ctx.Value(sessionKey{}).(user.Session)
	id, _ := ctx.Value(sessionIDKey{}).(string)
	return ss, id
}

// sessionLookupKey is the context key of the request's session lookup (a *sessionLookup),
// made once by admit.
type sessionLookupKey struct{}

type sessionLookup struct {
	ss  user.Session
	id  string
	err error
}

// withSessionLookup looks the request's session cookie up once and carries the answer in the
// request's context for requireSession and sessionAPI.
func (s *Server) withSessionLookup(r *http.Request) *http.Request {
	if s.cfg.Users == nil || s.sessionID(r) == "" {
		return r
	}
	ss, id, err := s.readSession(r)
	return r.WithContext(context.WithValue(r.Context(), sessionLookupKey{}, &sessionLookup{ss: ss, id: id, err: err}))
}

// signedIn reports whether the request carries a live session (after withSessionLookup).
func (s *Server) signedIn(r *http.Request) bool {
	l, ok := r.Context().Value(sessionLookupKey{}).(*sessionLookup)
	return ok && l.err == nil
}

// lookupSession returns the live session of the request's cookie: the lookup admit made, or a
// new one.
func (s *Server) lookupSession(r *http.Request) (user.Session, string, error) {
	if l, ok := r.Context().Value(sessionLookupKey{}).(*sessionLookup); ok {
		return l.ss, l.id, l.err
	}
	return s.readSession(r)
}

// readSession asks the user service for the session of the request's cookie.
func (s *Server) readSession(r *http.Request) (user.Session, string, error) {
	id := s.sessionID(r)
	if s.cfg.Users == nil || id == "" {
		return user.Session{}, "", user.ErrSessionEnded
	}
	ss, err := s.cfg.Users.Session(r.Context(), id)
	return ss, id, err
}

// requireSession lets a UI request through only with a live session (others are sent to the
// login page), refuses a changing request from another origin (http.CrossOriginProtection)
// or without the session's form token, and records the user as the actor of its changes.
func (s *Server) requireSession(next http.Handler) http.Handler {
	return s.crossOrigin.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ss, id, err := s.lookupSession(r)
		if errors.Is(err, user.ErrSessionEnded) {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if err != nil {
			s.serverError(w, r, "read session", err)
			return
		}
		if unsafeMethod(r.Method) && !validCSRF(r, id) {
			http.Error(w, "the form is out of date (or came from another site): reload the page and try again", http.StatusForbidden)
			return
		}
		ctx := context.WithValue(context.WithValue(r.Context(), sessionKey{}, ss), sessionIDKey{}, id)
		ctx = audit.WithActor(ctx, ss.Actor(requestID(w, r)))
		next.ServeHTTP(w, r.WithContext(ctx))
	}))
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// validCSRF reports whether the request carries the session's form token (a form field or,
// for htmx and fetch, the X-CSRF-Token header).
func validCSRF(r *http.Request, id string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	want := user.CSRFToken(id)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// apiRole is the token role a session's user acts with behind the route table's check: an
// owner acts as an admin; the other roles as themselves (read-only passes only GET routes).
func apiRole(role string) string {
	if role == access.RoleOwner {
		return access.RoleAdmin
	}
	return role
}

// sessionAPI authenticates an /api/v1 request without a bearer token by its session cookie,
// with the same route table as tokens (access.Allows maps the user roles onto it). A changing
// request must come from this site and carry the session's token in X-CSRF-Token. It reports
// whether it answered the request.
func (s *Server) sessionAPI(w http.ResponseWriter, r *http.Request, allowed []string, next http.Handler) bool {
	if s.cfg.Users == nil || s.sessionID(r) == "" {
		return false
	}
	ss, id, err := s.lookupSession(r)
	if errors.Is(err, user.ErrSessionEnded) {
		return false
	}
	if err != nil {
		s.serverError(w, r, "read session", err)
		return true
	}
	if unsafeMethod(r.Method) {
		if err := s.crossOrigin.Check(r); err != nil || !validCSRF(r, id) {
			writeProblem(w, http.StatusForbidden, "a signed-in browser request that changes data must come from this site and carry the session's X-CSRF-Token")
			return true
		}
	}
	if !access.Allows(allowed, ss.Role, r.Method) {
		writeProblem(w, http.StatusForbidden, "your role ("+ss.Role+") may not "+r.Method+" "+r.URL.Path+"; ask an owner for another role")
		return true
	}
	tok := access.Token{WorkspaceID: ss.WorkspaceID, Name: ss.Email, Role: apiRole(ss.Role)}
	ctx := context.WithValue(r.Context(), tokenKey{}, tok)
	ctx = context.WithValue(ctx, sessionKey{}, ss) // the person, for the rules on their own role (apiManager)
	ctx = audit.WithActor(ctx, ss.Actor(requestID(w, r)))
	next.ServeHTTP(w, r.WithContext(ctx))
	return true
}

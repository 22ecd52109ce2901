package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"github.com/clearlist/clearlist/internal/user"
)

// uiRoutes registers the login page, logout, the admin UI and / (to the dashboard or the login
// page). Without Config.Users they are left out.
func (s *Server) uiRoutes(rt *router) {
	if s.cfg.Users == nil {
		return
	}
	login := s.crossOrigin.Handler(http.HandlerFunc(s.postLogin))
	s.uiStaticRoutes(rt)
	rt.HandleFunc("GET /login", s.loginPage)
	rt.Handle("POST /login", login)
	rt.Handle("POST /logout", s.requireSession(http.HandlerFunc(s.logout)))
	rt.Handle("GET /ui/{$}", s.requireSession(http.HandlerFunc(s.dashboard)))
	s.uiPageRoutes(rt)
	rt.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, uiPrefix, http.StatusSeeOther) // the dashboard sends strangers on to /login
	})
}

// renderUI writes an admin UI page (a templ component, ui_pages.templ) with a policy that
// allows nothing from elsewhere and no framing.
func (s *Server) renderUI(w http.ResponseWriter, r *http.Request, status int, page templ.Component) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	if err := page.Render(r.Context(), w); err != nil {
		s.log.ErrorContext(r.Context(), "render ui page", "path", r.URL.Path, "err", err)
	}
}

type loginData struct{ Email, Error string }

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.lookupSession(r); err == nil {
		http.Redirect(w, r, uiPrefix, http.StatusSeeOther)
		return
	}
	s.renderUI(w, r, http.StatusOK, loginPage(loginData{}))
}

// maxLoginForm bounds a login form's size.
const maxLoginForm = 8 << 10

func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		s.renderUI(w, r, http.StatusBadRequest, loginPage(loginData{Error: "the form could not be read; try again"}))
		return
	}
	email := r.PostForm.Get("email")
	ss, id, err := s.cfg.Users.Login(r.Context(), user.Login{Email: email, Password: r.PostForm.Get("password"),
		Code: r.PostForm.Get("code"), IP: s.clientIP(r), Workspace: r.PostForm.Get("workspace"), Previous: s.sessionID(r)})
	var th *user.ThrottledError
	switch {
	case errors.As(err, &th):
		w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(th.Until).Seconds())+1))
		s.renderUI(w, r, http.StatusTooManyRequests, loginPage(loginData{Email: email, Error: th.Error()}))
		return
	case errors.Is(err, user.ErrBadCredentials), errors.Is(err, user.ErrDisabled), errors.Is(err, user.ErrNoRole):
		s.renderUI(w, r, http.StatusUnauthorized, loginPage(loginData{Email: email, Error: err.Error()}))
		return
	case err != nil:
		s.serverError(w, r, "login", err)
		return
	}
	s.setSession(w, r, id, int(time.Until(ss.ExpiresAt).Seconds()))
	http.Redirect(w, r, uiPrefix, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	_, id := sessionOf(r.Context())
	if err := s.cfg.Users.Logout(r.Context(), id); err != nil {
		s.serverError(w, r, "logout", err)
		return
	}
	s.setSession(w, r, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

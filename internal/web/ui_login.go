package web

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/clearlist/clearlist/internal/user"
)

// uiPages are the admin UI's server-rendered pages (html/template for now; the UI pages of
// issue 15 move to templ).
var uiPages = template.Must(template.New("ui").Parse(`
{{define "head"}}<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}} · clearlist</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin-top:1rem}input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}button{font:inherit;margin-top:1rem;padding:.5rem 1.2rem}
.error{color:#8b0000;border-left:4px solid #8b0000;padding-left:.6rem}</style></head><body>{{end}}
{{define "login"}}{{template "head" "Sign in"}}<main><h1>Sign in to clearlist</h1>
{{if .Error}}<p class="error" role="alert" id="login-error">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<label for="email">E-mail address</label><input id="email" name="email" type="email" autocomplete="username" required value="{{.Email}}" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<label for="code">Authenticator code (if you enrolled one)</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}">
<button type="submit">Sign in</button></form></main></body></html>{{end}}
{{define "dashboard"}}{{template "head" "Dashboard"}}<main><h1>clearlist</h1>
<p id="whoami">Signed in as <strong>{{.Email}}</strong>, role <strong>{{.Role}}</strong>, workspace <strong>{{.Workspace}}</strong>.</p>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="{{.CSRF}}"><button type="submit" id="logout">Sign out</button></form>
</main></body></html>{{end}}`))

// uiRoutes registers the login page, logout, the admin UI and / (to the dashboard or the login
// page). Without Config.Users they are left out.
func (s *Server) uiRoutes(rt *router) {
	if s.cfg.Users == nil {
		return
	}
	login := s.crossOrigin.Handler(http.HandlerFunc(s.postLogin))
	rt.HandleFunc("GET /login", s.loginPage)
	rt.Handle("POST /login", login)
	rt.Handle("POST /logout", s.requireSession(http.HandlerFunc(s.logout)))
	rt.Handle("GET /ui/{$}", s.requireSession(http.HandlerFunc(s.dashboard)))
	rt.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, uiPrefix, http.StatusSeeOther) // the dashboard sends strangers on to /login
	})
}

// renderUI writes an admin UI page with a policy that allows nothing from elsewhere and no framing.
func (s *Server) renderUI(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	if err := uiPages.ExecuteTemplate(w, name, data); err != nil {
		s.log.ErrorContext(r.Context(), "render ui page", "page", name, "err", err)
	}
}

type loginData struct{ Email, Error string }

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.lookupSession(r); err == nil {
		http.Redirect(w, r, uiPrefix, http.StatusSeeOther)
		return
	}
	s.renderUI(w, r, http.StatusOK, "login", loginData{})
}

// maxLoginForm bounds a login form's size.
const maxLoginForm = 8 << 10

func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		s.renderUI(w, r, http.StatusBadRequest, "login", loginData{Error: "the form could not be read; try again"})
		return
	}
	email := r.PostForm.Get("email")
	ss, id, err := s.cfg.Users.Login(r.Context(), user.Login{Email: email, Password: r.PostForm.Get("password"),
		Code: r.PostForm.Get("code"), IP: s.clientIP(r), Workspace: r.PostForm.Get("workspace"), Previous: s.sessionID(r)})
	var th *user.ThrottledError
	switch {
	case errors.As(err, &th):
		w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(th.Until).Seconds())+1))
		s.renderUI(w, r, http.StatusTooManyRequests, "login", loginData{Email: email, Error: th.Error()})
		return
	case errors.Is(err, user.ErrBadCredentials), errors.Is(err, user.ErrDisabled), errors.Is(err, user.ErrNoRole):
		s.renderUI(w, r, http.StatusUnauthorized, "login", loginData{Email: email, Error: err.Error()})
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

type dashboardData struct{ Email, Role, Workspace, CSRF string }

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	ss, id := sessionOf(r.Context())
	s.renderUI(w, r, http.StatusOK, "dashboard", dashboardData{Email: ss.Email, Role: ss.Role, Workspace: ss.Workspace, CSRF: user.CSRFToken(id)})
}

package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/i18n"
	"github.com/clearlist/clearlist/internal/suppress"
)

// PublicStopper records a "stop contacting me" request from the public form (suppress.Service).
type PublicStopper interface {
	PublicStop(ctx context.Context, workspace, value, ip, userAgent string) error
}

var _ = template.Must(pages.New("stop").Parse(`{{template "head" .}}
<h1>{{.T "stop.title"}}</h1>
{{with .Error}}<p class="err" role="alert">{{.}}</p>{{end}}
<form method="post" action="{{.Action}}">
<label>{{.T "stop.label"}} <input name="value" required maxlength="320" value="{{.Value}}" autocomplete="email" dir="ltr"></label>
<input type="hidden" name="lang" value="{{.Code}}">
<p>{{.T "stop.note"}}</p>
<button type="submit">{{.T "stop.button"}}</button>
</form>{{template "foot"}}`))

type stopPage struct {
	loc
	Workspace, Value, Error string
}

// PageTitle is the page's title.
func (p stopPage) PageTitle() string { return p.T("stop.title") }

// Action is the form's target: the workspace name is one path segment, escaped, so that a
// name like "../subscribe/x" cannot point the form elsewhere.
func (p stopPage) Action() string { return "/stop/" + url.PathEscape(p.Workspace) }

// stopRoutes registers the public "stop contacting me" page (no token; cross-origin posts
// refused, rate-limited per IP).
func (s *Server) stopRoutes(rt *router) {
	stopper, ok := s.cfg.Suppressions.(PublicStopper)
	if !ok {
		return
	}
	cop := http.NewCrossOriginProtection()
	lim := newIPLimiter(s.cfg.PublicRate)
	rt.HandleFunc("GET /stop/{workspace}", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "stop", &stopPage{Workspace: r.PathValue("workspace")})
	})
	rt.Handle("POST /stop/{workspace}", cop.Handler(lim.limit(s.clientIP, func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxPublicBody)
		if err := r.ParseForm(); err != nil {
			s.say(w, r, http.StatusBadRequest, "err.request_title", "form.unreadable")
			return
		}
		ws, value := r.PathValue("workspace"), r.PostForm.Get("value")
		st := s.step(r)
		err := stopper.PublicStop(r.Context(), ws, value, st.IP, st.UserAgent)
		switch {
		case errors.Is(err, suppress.ErrInvalid):
			s.render(w, r, http.StatusUnprocessableEntity, "stop", &stopPage{Workspace: ws, Value: value,
				Error: i18n.T(langOf(r), "stop.invalid")})
		case errors.Is(err, errs.ErrNotFound):
			s.say(w, r, http.StatusNotFound, "stop.not_found_title", "stop.not_found")
		case err != nil:
			s.log.ErrorContext(r.Context(), "public stop request", "workspace", ws, "err", err)
			s.say(w, r, http.StatusInternalServerError, "err.wrong_title", "err.not_recorded")
		default:
			s.say(w, r, http.StatusOK, "stop.done_title", "stop.done")
		}
	})))
}

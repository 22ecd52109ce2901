package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/suppress"
)

// PublicStopper records a "stop contacting me" request from the public form (suppress.Service).
type PublicStopper interface {
	PublicStop(ctx context.Context, workspace, value, ip, userAgent string) error
}

var _ = template.Must(pages.New("stop").Parse(`{{template "head" "Stop contacting me"}}
<h1>Stop contacting me</h1>
{{with .Error}}<p class="err" role="alert">{{.}}</p>{{end}}
<form method="post" action="{{.Action}}">
<label>Your e-mail address or phone number <input name="value" required maxlength="320" value="{{.Value}}"></label>
<p>We will not contact you again by any channel, from now on. You do not need to confirm.</p>
<button type="submit">Stop contacting me</button>
</form></body></html>`))

type stopPage struct{ Workspace, Value, Error string }

// Action is the form's target: the workspace name is one path segment, escaped, so that a
// name like "../subscribe/x" cannot point the form elsewhere.
func (p stopPage) Action() string { return "/stop/" + url.PathEscape(p.Workspace) }

// stopText is the one answer to a stop request, whether or not the identifier was known.
const stopText = "Your request is recorded and takes effect now: we will not contact you again at this address or number, by any channel."

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
		s.render(w, r, http.StatusOK, "stop", stopPage{Workspace: r.PathValue("workspace")})
	})
	rt.Handle("POST /stop/{workspace}", cop.Handler(lim.limit(s.clientIP, func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxPublicBody)
		if err := r.ParseForm(); err != nil {
			s.message(w, r, http.StatusBadRequest, "Request not accepted", "The form could not be read; reload the page and try again.")
			return
		}
		ws, value := r.PathValue("workspace"), r.PostForm.Get("value")
		st := s.step(r)
		err := stopper.PublicStop(r.Context(), ws, value, st.IP, st.UserAgent)
		switch {
		case errors.Is(err, suppress.ErrInvalid):
			s.render(w, r, http.StatusUnprocessableEntity, "stop", stopPage{Workspace: ws, Value: value,
				Error: "We could not read that as an e-mail address or a phone number with its country code (+…). Please check it."})
		case errors.Is(err, errs.ErrNotFound):
			s.message(w, r, http.StatusNotFound, "Page not found", "This page does not exist. Check the link you followed.")
		case err != nil:
			s.log.ErrorContext(r.Context(), "public stop request", "workspace", ws, "err", err)
			s.message(w, r, http.StatusInternalServerError, "Something went wrong", "Your request could not be recorded. Please try again in a minute.")
		default:
			s.message(w, r, http.StatusOK, "Done", stopText)
		}
	})))
}

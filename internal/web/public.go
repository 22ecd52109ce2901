package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/clearlist/clearlist/internal/i18n"
	"github.com/clearlist/clearlist/internal/signup"
)

// DoubleOptIn is the sign-up service behind the public pages (signup.Service).
type DoubleOptIn interface {
	Form(ctx context.Context, workspace, list string) (signup.Form, error)
	Subscribe(ctx context.Context, in signup.Submission) error
	Check(ctx context.Context, token string) error
	Confirm(ctx context.Context, token string, step signup.Step) error
}

// maxPublicBody bounds a sign-up post: an address and a few boxes.
const maxPublicBody = 64 << 10

// publicRoutes registers the pages anyone may use: subscribe and confirm. They take no
// token; their POSTs are checked for cross-origin requests and rate-limited per IP.
func (s *Server) publicRoutes(rt *router) {
	if s.cfg.DOI == nil {
		return
	}
	cop := http.NewCrossOriginProtection()
	lim := newIPLimiter(s.cfg.PublicRate)
	post := func(h http.HandlerFunc) http.Handler { return cop.Handler(lim.limit(s.clientIP, h)) }
	rt.HandleFunc("GET /subscribe/{workspace}", s.subscribePage)
	rt.Handle("POST /subscribe/{workspace}", post(s.subscribeForm))
	rt.Handle("POST /api/public/{workspace}/subscribe", s.corsOrProtect(cop, lim.limit(s.clientIP, s.subscribeJSON)))
	rt.HandleFunc("OPTIONS /api/public/{workspace}/subscribe", s.subscribePreflight)
	rt.HandleFunc("GET /confirm", s.confirmPage)
	rt.Handle("POST /confirm", post(s.confirm))
}

func (s *Server) subscribePage(w http.ResponseWriter, r *http.Request) {
	f, err := s.cfg.DOI.Form(r.Context(), r.PathValue("workspace"), r.URL.Query().Get("list"))
	if err != nil {
		s.publicError(w, r, err)
		return
	}
	page := newSubscribePage(f, r.URL.Query().Get("list"))
	page.Embed = r.URL.Query().Get("embed") == "1"
	s.render(w, r, http.StatusOK, "subscribe", &page)
}

// subscribeForm takes the HTML form. The server rendered every box unticked, so nothing was
// pre-checked; a post that says otherwise is refused like the JSON API's.
func (s *Server) subscribeForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPublicBody)
	if err := r.ParseForm(); err != nil {
		s.say(w, r, http.StatusBadRequest, "subscribe.refused_title", "form.unreadable")
		return
	}
	ctx, ws := r.Context(), r.PathValue("workspace")
	f, err := s.cfg.DOI.Form(ctx, ws, r.PostForm.Get("list"))
	if err != nil {
		s.publicError(w, r, err)
		return
	}
	page := newSubscribePage(f, r.PostForm.Get("list"))
	page.Email = r.PostForm.Get("email")
	page.Embed = r.PostForm.Get("embed") == "1"
	lang := langOf(r)
	if r.PostForm.Get("form_version") != f.FormVersion || r.PostForm.Get("form_id") != f.FormID {
		page.Error = i18n.T(lang, "subscribe.changed")
		s.render(w, r, http.StatusUnprocessableEntity, "subscribe", &page)
		return
	}
	req := signup.Request{Email: r.PostForm.Get("email"), Shown: r.PostForm["shown"], Ticked: r.PostForm["purpose"],
		Prechecked: r.PostForm["prechecked"], PrecheckedSet: true, FormID: f.FormID, FormVersion: f.FormVersion,
		Wording: wordings(lang, f.Purposes), List: r.PostForm.Get("list")}
	err = s.cfg.DOI.Subscribe(ctx, signup.Submission{Workspace: ws, Request: req, FormURL: s.publicURL("/subscribe/" + url.PathEscape(ws)), Lang: lang, Step: s.step(r)})
	var inv *signup.InvalidError
	if errors.As(err, &inv) {
		page.Error = invalidText(lang, inv)
		s.render(w, r, http.StatusUnprocessableEntity, "subscribe", &page)
		return
	}
	if err != nil {
		s.publicError(w, r, err)
		return
	}
	s.say(w, r, http.StatusOK, "subscribe.pending_title", "subscribe.pending")
}

// invalidText says what to fix in a refused sign-up: the service's own words in English,
// the refusal's own message in another language (the field's, for a refusal without one).
func invalidText(lang string, inv *signup.InvalidError) string {
	switch {
	case lang == i18n.Default || inv.Key != "":
		return inv.In(lang)
	case inv.Field == "email":
		return i18n.T(lang, "subscribe.err_email")
	case inv.Field == "purposes_ticked":
		return i18n.T(lang, "subscribe.err_none_ticked")
	}
	return i18n.T(lang, "subscribe.err_other")
}

// subscribeBody is the JSON sign-up: the posting form says what it showed, what was ticked
// and what was pre-checked (which must be nothing).
type subscribeBody struct {
	Email          string          `json:"email"`
	PurposesShown  []string        `json:"purposes_shown"`
	PurposesTicked []string        `json:"purposes_ticked"`
	Prechecked     *[]string       `json:"prechecked"`
	FormID         string          `json:"form_id"`
	FormVersion    string          `json:"form_version"`
	Wording        json.RawMessage `json:"wording"` // one text for every box, or {"purpose": "text"}
	List           string          `json:"list,omitempty"`
	FormURL        string          `json:"form_url,omitempty"`
	// Lang is the language the form was shown in (an i18n code): the answers and the
	// confirmation e-mail are in it. Without it, Accept-Language chooses.
	Lang string `json:"lang,omitempty"`
}

// apiLang is the language of a JSON sign-up's answers: the body's lang field, else
// Accept-Language, else English.
func apiLang(w http.ResponseWriter, r *http.Request, field string) string {
	lang := i18n.Choose(r.Header.Get("Accept-Language"), field)
	w.Header().Set("Content-Language", lang)
	w.Header().Add("Vary", "Accept-Language")
	return lang
}

func (s *Server) subscribeJSON(w http.ResponseWriter, r *http.Request) {
	var b subscribeBody
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPublicBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		lang := apiLang(w, r, "")
		s.writeError(w, r, "subscribe", invalid("body", i18n.T(lang, "refuse.body", err.Error()), nil))
		return
	}
	lang := apiLang(w, r, b.Lang)
	req := signup.Request{Email: b.Email, Shown: b.PurposesShown, Ticked: b.PurposesTicked, PrecheckedSet: b.Prechecked != nil,
		FormID: b.FormID, FormVersion: b.FormVersion, List: b.List, Wording: map[string]string{}}
	if b.Prechecked != nil {
		req.Prechecked = *b.Prechecked
	}
	var one string
	if err := json.Unmarshal(b.Wording, &one); err == nil {
		for _, p := range b.PurposesTicked {
			req.Wording[p] = one
		}
	} else if err := json.Unmarshal(b.Wording, &req.Wording); err != nil && len(b.Wording) > 0 {
		s.writeError(w, r, "subscribe", invalid("body.wording", i18n.T(lang, "refuse.wording_shape"), nil))
		return
	}
	ws := r.PathValue("workspace")
	err := s.cfg.DOI.Subscribe(r.Context(), signup.Submission{Workspace: ws, Request: req, FormURL: b.FormURL, Lang: lang, Step: s.step(r)})
	var inv *signup.InvalidError
	switch {
	case errors.As(err, &inv):
		s.writeError(w, r, "subscribe", invalid("body."+inv.Field, inv.In(lang), nil))
	case errors.Is(err, signup.ErrNoWorkspace):
		writeProblem(w, http.StatusNotFound, i18n.T(lang, "err.no_signup"))
	case errors.Is(err, signup.ErrMailFailed):
		writeProblem(w, http.StatusServiceUnavailable, i18n.T(lang, "err.mail_failed"))
	case err != nil:
		s.log.ErrorContext(r.Context(), "subscribe", "method", r.Method, "path", r.URL.Path, "err", err)
		writeProblem(w, http.StatusInternalServerError, i18n.T(lang, "err.wrong"))
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		json.NewEncoder(w).Encode(map[string]string{"status": "pending", "message": i18n.T(lang, "subscribe.pending")})
	}
}

func (s *Server) confirmPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if q := r.URL.Query(); q.Get("lang") == "" && signup.LinkLang(token) != "" {
		// a link whose lang parameter was lost: the language the token was mailed in
		q.Set("lang", signup.LinkLang(token))
		r.URL.RawQuery = q.Encode()
	}
	if err := s.cfg.DOI.Check(r.Context(), token); err != nil {
		s.publicError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "confirm", &confirmPage{Token: token})
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPublicBody)
	if err := r.ParseForm(); err != nil {
		s.publicError(w, r, signup.ErrLinkInvalid)
		return
	}
	if err := s.cfg.DOI.Confirm(r.Context(), r.PostForm.Get("token"), s.step(r)); err != nil {
		s.publicError(w, r, err)
		return
	}
	s.say(w, r, http.StatusOK, "confirm.done_title", "confirm.done")
}

// publicError answers a public page's failure with a page that says what to do and reveals
// nothing else.
func (s *Server) publicError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, signup.ErrLinkInvalid):
		s.say(w, r, http.StatusBadRequest, "err.link_title", "err.confirm_link")
	case errors.Is(err, signup.ErrNoWorkspace):
		s.say(w, r, http.StatusNotFound, "err.not_found_title", "err.no_signup")
	case errors.Is(err, signup.ErrMailFailed):
		s.say(w, r, http.StatusServiceUnavailable, "err.later_title", "err.mail_failed")
	default:
		s.log.ErrorContext(r.Context(), "public page failed", "method", r.Method, "route", r.Pattern, "err", err)
		s.say(w, r, http.StatusInternalServerError, "err.wrong_title", "err.wrong")
	}
}

// step is the person's act as this request shows it, from the client address clientIP
// finds (the peer, or what a trusted proxy says).
func (s *Server) step(r *http.Request) signup.Step {
	return signup.Step{IP: s.clientIP(r), UserAgent: r.UserAgent(), At: time.Now().UTC()}
}

// publicURL is an absolute URL on this server, for evidence.
func (s *Server) publicURL(path string) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL + path
	}
	return path
}

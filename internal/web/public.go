package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

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

// pendingText is the one answer to a sign-up, whether the address was new or known.
const pendingText = "Thank you. We have sent you an e-mail: open the link in it to confirm your subscription. Nothing is sent to you until you confirm."

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
	s.render(w, r, http.StatusOK, "subscribe", newSubscribePage(f, r.URL.Query().Get("list")))
}

// subscribeForm takes the HTML form. The server rendered every box unticked, so nothing was
// pre-checked; a post that says otherwise is refused like the JSON API's.
func (s *Server) subscribeForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPublicBody)
	if err := r.ParseForm(); err != nil {
		s.message(w, r, http.StatusBadRequest, "Sign-up not accepted", "The form could not be read; reload the page and try again.")
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
	if r.PostForm.Get("form_version") != f.FormVersion || r.PostForm.Get("form_id") != f.FormID {
		page.Error = "The form has changed since it was shown. Please check the boxes again and resubmit."
		s.render(w, r, http.StatusUnprocessableEntity, "subscribe", page)
		return
	}
	req := signup.Request{Email: r.PostForm.Get("email"), Shown: r.PostForm["shown"], Ticked: r.PostForm["purpose"],
		Prechecked: r.PostForm["prechecked"], PrecheckedSet: true, FormID: f.FormID, FormVersion: f.FormVersion,
		Wording: wordings(f.Purposes), List: r.PostForm.Get("list")}
	err = s.cfg.DOI.Subscribe(ctx, signup.Submission{Workspace: ws, Request: req, FormURL: s.publicURL("/subscribe/" + url.PathEscape(ws)), Step: s.step(r)})
	var inv *signup.InvalidError
	if errors.As(err, &inv) {
		page.Error = inv.Message
		s.render(w, r, http.StatusUnprocessableEntity, "subscribe", page)
		return
	}
	if err != nil {
		s.publicError(w, r, err)
		return
	}
	s.message(w, r, http.StatusOK, "Please check your inbox", pendingText)
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
}

func (s *Server) subscribeJSON(w http.ResponseWriter, r *http.Request) {
	var b subscribeBody
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPublicBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		s.writeError(w, r, "subscribe", invalid("body", "the body is not the expected JSON object: "+err.Error(), nil))
		return
	}
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
		s.writeError(w, r, "subscribe", invalid("body.wording", "wording is a string or an object of purpose: text", nil))
		return
	}
	ws := r.PathValue("workspace")
	err := s.cfg.DOI.Subscribe(r.Context(), signup.Submission{Workspace: ws, Request: req, FormURL: b.FormURL, Step: s.step(r)})
	var inv *signup.InvalidError
	switch {
	case errors.As(err, &inv):
		s.writeError(w, r, "subscribe", invalid("body."+inv.Field, inv.Message, nil))
	case errors.Is(err, signup.ErrNoWorkspace):
		writeProblem(w, http.StatusNotFound, err.Error())
	case errors.Is(err, signup.ErrMailFailed):
		writeProblem(w, http.StatusServiceUnavailable, err.Error())
	case err != nil:
		s.serverError(w, r, "subscribe", err)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		json.NewEncoder(w).Encode(map[string]string{"status": "pending", "message": pendingText})
	}
}

func (s *Server) confirmPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if err := s.cfg.DOI.Check(r.Context(), token); err != nil {
		s.publicError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "confirm", token)
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
	s.message(w, r, http.StatusOK, "Subscription confirmed", "Thank you: your subscription is confirmed. You can unsubscribe at any time with the link in every e-mail.")
}

// publicError answers a public page's failure with a page that says what to do and reveals
// nothing else.
func (s *Server) publicError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, signup.ErrLinkInvalid):
		s.message(w, r, http.StatusBadRequest, "Link not valid", err.Error())
	case errors.Is(err, signup.ErrNoWorkspace):
		s.message(w, r, http.StatusNotFound, "Not found", err.Error())
	case errors.Is(err, signup.ErrMailFailed):
		s.message(w, r, http.StatusServiceUnavailable, "Please try again later", err.Error())
	default:
		s.log.ErrorContext(r.Context(), "public page failed", "method", r.Method, "route", r.Pattern, "err", err)
		s.message(w, r, http.StatusInternalServerError, "Something went wrong", "Something went wrong on our side; please try again later.")
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

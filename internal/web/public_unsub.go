package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/i18n"
	"github.com/clearlist/clearlist/internal/unsub"
)

// Unsubscriber is the service behind the unsubscribe links of campaign messages (unsub.Service).
type Unsubscriber interface {
	Open(ctx context.Context, token string) (unsub.Page, error)
	Unsubscribe(ctx context.Context, token string, sc unsub.Scope, ip, userAgent string) (unsub.Result, error)
	OneClick(ctx context.Context, token, ip, userAgent string) (unsub.Result, error)
}

var _ = template.Must(pages.New("unsubscribe").Parse(`{{template "head" .}}
<h1>{{.PageTitle}}</h1>
{{with .Address}}<p>{{$.Strong "unsub.for_address" .}}</p>{{end}}
{{if .AllDone}}<p>{{.T "unsub.all_done"}}</p>
{{else if and .Choose .Purposes}}<form method="post" action="{{.Action}}">
<p>{{.T "prefs.intro"}}</p>
<fieldset><legend>{{.T "prefs.legend"}}</legend>
{{range .Purposes}}<label class="box"><input type="checkbox" name="purpose" value="{{.Name}}"{{if .Done}} checked disabled{{end}}> <span><bdi>{{or .Description ($.Words .Name)}}</bdi>{{if .Description}} <span class="note">(<bdi>{{$.Words .Name}}</bdi>)</span>{{end}}{{if .Done}} {{$.T "prefs.already"}}{{end}}</span></label>
{{end}}<label class="box"><input type="checkbox" name="all" value="1"> <span>{{.T "unsub.all_button"}}</span></label>
</fieldset>
<input type="hidden" name="scope" value="choose"><input type="hidden" name="lang" value="{{.Code}}">
<p><button type="submit">{{.T "prefs.save"}}</button></p>
<p class="note">{{.T "unsub.note"}} {{.T "prefs.keep"}}</p>
</form>
{{else if and .Choose .Purpose (not .PurposeDone)}}<form method="post" action="{{.Action}}">
<p>{{.T "prefs.intro"}}</p>
<fieldset><legend>{{.T "prefs.legend"}}</legend>
<label class="box"><input type="radio" name="scope" value="purpose" required> <span>{{.T "prefs.purpose" .Kind}}</span></label>
<label class="box"><input type="radio" name="scope" value="all" required> <span>{{.T "prefs.all"}}</span></label>
</fieldset>
<input type="hidden" name="lang" value="{{.Code}}">
<p><button type="submit">{{.T "prefs.save"}}</button></p>
<p class="note">{{.T "unsub.note"}} {{.T "prefs.keep"}}</p>
</form>
{{else}}<form method="post" action="{{.Action}}">
{{if .Choose}}<p>{{.T "prefs.intro"}}</p>
{{end}}{{if .Purpose}}{{if .PurposeDone}}<p>{{.T "unsub.purpose_done" .Kind}}</p>
{{else}}<p><button type="submit" name="scope" value="purpose">{{.T "unsub.purpose_button" .Kind}}</button></p>
{{end}}{{end}}<p><button type="submit" name="scope" value="all">{{.T "unsub.all_button"}}</button></p>
<input type="hidden" name="lang" value="{{.Code}}">
<p class="note">{{.T "unsub.note"}}</p>
</form>{{end}}{{template "foot"}}`))

var _ = template.Must(pages.New("unsubscribed").Parse(`{{template "head" .}}
<h1>{{.T "unsub.done_heading"}}</h1>
<p>{{.Summary}}</p>
{{if or .Purpose .Purposes}}<form method="post" action="{{.Action}}">
<input type="hidden" name="lang" value="{{.Code}}">
<p><button type="submit" name="scope" value="all">{{.T "unsub.all_too"}}</button></p>
</form>{{end}}{{template "foot"}}`))

// purposeWords writes a purpose name as words: product-updates → product updates.
func purposeWords(p string) string { return strings.ReplaceAll(p, "-", " ") }

type unsubPage struct {
	loc
	unsub.Page
	Token string
	// Choose marks the footer's "Manage your preferences" link (?choose=1): the page is
	// headed as the person's preferences and asks for a choice before anything changes.
	Choose bool
}

// PageTitle is the page's title and heading.
func (p unsubPage) PageTitle() string {
	if p.Choose {
		return p.T("prefs.title")
	}
	return p.T("unsub.title")
}

// Words writes a purpose name as words.
func (p unsubPage) Words(name string) string { return purposeWords(name) }

// Kind is the purpose as words.
func (p unsubPage) Kind() string { return purposeWords(p.Purpose) }

// Action is the form's target: the token is one path segment (base64url needs no escaping;
// the escape keeps a hand-made link from pointing the form elsewhere).
func (p unsubPage) Action() string { return unsub.PathPrefix + url.PathEscape(p.Token) }

type unsubDone struct {
	loc
	unsub.Result
	Token string
}

// PageTitle is the page's title.
func (p unsubDone) PageTitle() string { return p.T("unsub.done_title") }

// Summary says what the person will no longer receive.
func (p unsubDone) Summary() string {
	var kinds []string
	for _, pu := range p.Purposes {
		kinds = append(kinds, purposeWords(pu))
	}
	switch {
	case len(kinds) > 0 && p.Address != "":
		return p.T("unsub.done_purposes_at", strings.Join(kinds, p.T("list.sep")), p.Address)
	case len(kinds) > 0:
		return p.T("unsub.done_purposes", strings.Join(kinds, p.T("list.sep")))
	case p.Purpose != "" && p.Address != "":
		return p.T("unsub.done_purpose_at", purposeWords(p.Purpose), p.Address)
	case p.Purpose != "":
		return p.T("unsub.done_purpose", purposeWords(p.Purpose))
	case p.Address != "":
		return p.T("unsub.done_all_at", p.Address)
	}
	return p.T("unsub.done_all")
}

// Action is the target of the "everything too" form.
func (p unsubDone) Action() string { return unsub.PathPrefix + url.PathEscape(p.Token) }

// maxUnsubBody bounds an unsubscribe POST: one field, or a multipart form with one field.
const maxUnsubBody = 16 << 10

// oneClickRateFactor multiplies the public rate for one-click POSTs: they come from the
// mailbox providers' few servers on behalf of all their users, and a refused one is an
// unsubscribe lost (providers do not promise to retry).
const oneClickRateFactor = 20

// unsubRoutes registers the unsubscribe link: GET shows the choices, POST takes the page's
// form (cross-origin posts refused, rate-limited per IP like the other public forms) and the
// RFC 8058 one-click request, which needs no cookie, login or form token — the link itself
// is the secret — and is answered 200 without a redirect. Clients whose bad links used up
// the public rate are refused before any work.
func (s *Server) unsubRoutes(rt *router) {
	if s.cfg.Unsubscribe == nil {
		return
	}
	u := &unsubHandlers{s: s, svc: s.cfg.Unsubscribe, cop: http.NewCrossOriginProtection(),
		form: newIPLimiter(s.cfg.PublicRate), oneClick: newIPLimiter(oneClickRateFactor * max(s.cfg.PublicRate, defaultPublicRate)),
		bad: newIPLimiter(s.cfg.PublicRate)}
	rt.HandleFunc("GET "+unsub.PathPrefix+"{token}", u.page)
	rt.HandleFunc("POST "+unsub.PathPrefix+"{token}", u.post)
}

type unsubHandlers struct {
	s                   *Server
	svc                 Unsubscriber
	cop                 *http.CrossOriginProtection
	form, oneClick, bad *ipLimiter
}

func (u *unsubHandlers) page(w http.ResponseWriter, r *http.Request) {
	ip := u.s.clientIP(r)
	if u.bad.exhausted(ip, time.Now()) {
		tooMany(w)
		return
	}
	tok := r.PathValue("token")
	p, err := u.svc.Open(r.Context(), tok)
	if err != nil {
		u.fail(w, r, ip, err, false)
		return
	}
	u.s.render(w, r, http.StatusOK, "unsubscribe", &unsubPage{Page: p, Token: tok, Choose: r.URL.Query().Get("choose") == "1"})
}

func (u *unsubHandlers) post(w http.ResponseWriter, r *http.Request) {
	ip, now := u.s.clientIP(r), time.Now()
	if u.bad.exhausted(ip, now) {
		tooMany(w)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUnsubBody)
	// RFC 8058 allows the body as application/x-www-form-urlencoded or multipart/form-data.
	if err := r.ParseMultipartForm(maxUnsubBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		u.s.say(w, r, http.StatusBadRequest, "err.request_title", "unsub.unreadable")
		return
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	tok, st := r.PathValue("token"), u.s.step(r)
	if r.PostForm.Get("List-Unsubscribe") == "One-Click" {
		if !u.oneClick.allow(ip, now) {
			tooMany(w)
			return
		}
		if _, err := u.svc.OneClick(r.Context(), tok, st.IP, st.UserAgent); err != nil {
			u.fail(w, r, ip, err, true)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("Unsubscribed.\n"))
		return
	}
	if err := u.cop.Check(r); err != nil {
		u.s.say(w, r, http.StatusForbidden, "err.request_title", "unsub.cross_origin")
		return
	}
	if !u.form.allow(ip, now) {
		tooMany(w)
		return
	}
	if r.PostForm.Get("scope") == "choose" && r.PostForm.Get("all") != "1" {
		u.choose(w, r, ip, tok)
		return
	}
	scope := r.PostForm.Get("scope")
	if scope == "choose" { // "all our e-mails" ticked on the preferences page
		scope = string(unsub.ScopeAll)
	}
	sc, err := unsub.ParseScope(scope)
	if err != nil {
		u.s.say(w, r, http.StatusBadRequest, "err.request_title", "unsub.choose_scope")
		return
	}
	res, err := u.svc.Unsubscribe(r.Context(), tok, sc, st.IP, st.UserAgent)
	if err != nil {
		u.fail(w, r, ip, err, false)
		return
	}
	u.s.render(w, r, http.StatusOK, "unsubscribed", &unsubDone{Result: res, Token: tok})
}

// PreferenceChooser records the preferences page's choice of purposes (unsub.Service).
type PreferenceChooser interface {
	Choose(ctx context.Context, token string, purposes []string, ip, userAgent string) (unsub.Result, error)
}

// choose takes the preferences page's ticked purposes: nothing ticked changes nothing.
func (u *unsubHandlers) choose(w http.ResponseWriter, r *http.Request, ip, tok string) {
	ch, ok := u.svc.(PreferenceChooser)
	purposes := r.PostForm["purpose"]
	if !ok || len(purposes) == 0 {
		u.s.say(w, r, http.StatusOK, "prefs.title", "prefs.nothing")
		return
	}
	st := u.s.step(r)
	res, err := ch.Choose(r.Context(), tok, purposes, st.IP, st.UserAgent)
	if errors.Is(err, unsub.ErrPurpose) {
		u.s.say(w, r, http.StatusBadRequest, "err.request_title", "unsub.choose_scope")
		return
	}
	if err != nil {
		u.fail(w, r, ip, err, false)
		return
	}
	u.s.render(w, r, http.StatusOK, "unsubscribed", &unsubDone{Result: res, Token: tok})
}

// fail answers a failed request without telling anything about the link: a bad link is
// "not valid" (and counts against the client's allowance), anything else is our fault.
func (u *unsubHandlers) fail(w http.ResponseWriter, r *http.Request, ip string, err error, plain bool) {
	status, title, text := http.StatusInternalServerError, "err.wrong_title", "err.not_recorded"
	if errors.Is(err, unsub.ErrLinkInvalid) {
		u.bad.allow(ip, time.Now())
		status, title, text = http.StatusNotFound, "err.link_title", "unsub.link_invalid"
	} else {
		u.s.log.ErrorContext(r.Context(), "unsubscribe", "method", r.Method, "err", err) // never the token: it is the person's key
	}
	if plain {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(i18n.T(i18n.Default, text) + "\n"))
		return
	}
	u.s.say(w, r, status, title, text)
}

func tooMany(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "60")
	http.Error(w, "too many requests from your address; wait a minute and try again", http.StatusTooManyRequests)
}

// exhausted reports, without taking a token, whether key's bucket is empty: the limit on
// bad links refuses a client before any work, and charges only for the links that fail.
func (l *ipLimiter) exhausted(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	return ok && min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate) < 1
}

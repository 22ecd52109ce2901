package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/i18n"
)

// langCookie keeps the language a visitor chose with the switch.
const langCookie = "clearlist_lang"

// loc is what every public page knows of its language: the language, the switch's links,
// and the messages (T). Its zero value is English, without a switch.
type loc struct {
	Lang   i18n.Lang
	Switch []langLink
}

// langLink is one entry of the language switch.
type langLink struct {
	i18n.Lang
	Href    string
	Current bool
}

// localize gives a page its language; render calls it on the page it is given.
func (l *loc) localize(n loc) { *l = n }

// localizer is a page that render can localize.
type localizer interface{ localize(loc) }

// Code is the language's code ("en" for the zero value).
func (l loc) Code() string {
	if l.Lang.Code == "" {
		return i18n.Default
	}
	return l.Lang.Code
}

// HTMLLang is the value of the page's lang attribute.
func (l loc) HTMLLang() string {
	if l.Lang.Tag == "" {
		return "en"
	}
	return l.Lang.Tag
}

// Dir is the page's writing direction.
func (l loc) Dir() string {
	if l.Lang.Dir == "" {
		return "ltr"
	}
	return l.Lang.Dir
}

// T is the message key in the page's language, formatted with args.
func (l loc) T(key string, args ...any) string { return i18n.T(l.Code(), key, args...) }

// Strong is the message key with its one argument (a stranger's or the workspace's text)
// escaped, isolated for bidirectional text and set in bold; the message itself is escaped too.
func (l loc) Strong(key, arg string) template.HTML {
	return template.HTML(fmt.Sprintf(html.EscapeString(l.T(key)), "<strong><bdi>"+html.EscapeString(arg)+"</bdi></strong>"))
}

// Isolate is the message key with its one argument (a stranger's or the workspace's text)
// escaped and isolated for bidirectional text (<bdi>): an English description keeps its
// words and full stop in place inside an Arabic sentence. The text is the same as T's.
func (l loc) Isolate(key, arg string) template.HTML {
	return template.HTML(fmt.Sprintf(html.EscapeString(l.T(key)), "<bdi>"+html.EscapeString(arg)+"</bdi>"))
}

// pageLoc chooses the request's language (the switch's ?lang=, a form's hidden lang field,
// the cookie, then Accept-Language) and builds the switch. A valid ?lang= is remembered in a
// cookie.
func (s *Server) pageLoc(w http.ResponseWriter, r *http.Request, keepQuery bool) loc {
	q := r.URL.Query().Get("lang")
	if i18n.Supported(q) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	}
	if !slices.Contains(w.Header().Values("Vary"), "Accept-Language, Cookie") {
		w.Header().Add("Vary", "Accept-Language, Cookie")
	}
	code := langOf(r)
	l, _ := i18n.Get(code)
	return loc{Lang: l, Switch: langSwitch(r, code, keepQuery)}
}

// langOf is the code of the request's language (see pageLoc).
func langOf(r *http.Request) string {
	var cookie string
	if c, err := r.Cookie(langCookie); err == nil {
		cookie = c.Value
	}
	return i18n.Choose(r.Header.Get("Accept-Language"), r.URL.Query().Get("lang"), r.PostForm.Get("lang"), cookie)
}

// langSwitch links the page in every language: the same GET page with ?lang= set, as a
// relative reference (the path stays; the page never writes it). keepQuery keeps the page's
// other parameters: after a POST only the list and the frame of a sign-up are carried, and a
// message page (an error, a result) keeps none, so that a refusal reads the same whatever
// was asked. The confirmation's result has no switch, since its link is used up.
func langSwitch(r *http.Request, current string, keepQuery bool) []langLink {
	if r.Method == http.MethodPost && r.URL.Path == "/confirm" {
		return nil
	}
	q := url.Values{}
	switch {
	case !keepQuery:
	case r.Method == http.MethodGet:
		q = r.URL.Query()
	case strings.HasPrefix(r.URL.Path, "/subscribe/"):
		if list := r.PostForm.Get("list"); list != "" {
			q.Set("list", list)
		}
		if r.PostForm.Get("embed") == "1" {
			q.Set("embed", "1")
		}
	}
	var out []langLink
	for _, l := range i18n.Langs() {
		q.Set("lang", l.Code)
		out = append(out, langLink{Lang: l, Href: "?" + q.Encode(), Current: l.Code == current})
	}
	return out
}

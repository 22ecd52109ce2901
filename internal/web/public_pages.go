package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/i18n"
	"github.com/clearlist/clearlist/internal/signup"
)

// pages are the public HTML pages: self-contained, no scripts, no external assets. Each is
// in the visitor's language (loc), right to left for Arabic: the style sheet uses logical
// properties (inline-start/end), so the layout mirrors with dir="rtl".
var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html>
<html lang="{{.HTMLLang}}" dir="{{.Dir}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{.PageTitle}}</title>
<style>body{font:16px/1.5 system-ui,"DejaVu Sans",sans-serif;max-width:36em;margin:1em auto 2em;padding:0 1em;color:#222;text-align:start}
nav.langs ul{display:flex;flex-wrap:wrap;justify-content:flex-end;gap:.2em .9em;list-style:none;margin:0;padding:0 0 .4em;border-bottom:1px solid #ddd;font-size:.9em}
nav.langs a{color:#0b5394}nav.langs a[aria-current]{color:#222;font-weight:bold;text-decoration:none}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #0b5394;outline-offset:2px}
label{display:block;margin:.6em 0}label.box{display:flex;gap:.5em;align-items:flex-start}label.box input{margin:.35em 0 0}
input[type=email],input[name=value]{display:block;width:100%;max-width:24em;box-sizing:border-box;padding:.3em;font-size:1em;margin-block-start:.2em}
fieldset{border:1px solid #ccc;padding:.2em 1em .6em}
.err{color:#a00;font-weight:bold;border-inline-start:4px solid #a00;padding-inline-start:.6em}
.note{color:#444;font-size:.95em}button{font-size:1em;padding:.4em 1em}</style>
</head><body>
{{with .Switch}}<nav class="langs" aria-label="{{$.T "nav.language"}}"><ul>{{range .}}
<li><a href="{{.Href}}" hreflang="{{.Tag}}" lang="{{.Tag}}" dir="{{.Dir}}"{{if .Current}} aria-current="true"{{end}}>{{.Name}}</a></li>{{end}}
</ul></nav>{{end}}
<main>{{end}}
{{define "foot"}}</main></body></html>{{end}}
{{define "subscribe"}}{{template "head" .}}
<h1>{{.T "subscribe.title"}}</h1>
{{with .Error}}<p class="err" role="alert">{{.}}</p>{{end}}
<form method="post" action="{{.Action}}">
<label>{{.T "subscribe.email"}} <input type="email" name="email" required maxlength="320" value="{{.Email}}" autocomplete="email" dir="ltr"></label>
<fieldset><legend>{{.T "subscribe.legend"}}</legend>
{{range .Boxes}}<label class="box"><input type="checkbox" name="purpose" value="{{.Name}}"> <span>{{$.Isolate "subscribe.box" .Description}}</span></label>
<input type="hidden" name="shown" value="{{.Name}}">
{{end}}</fieldset>
<input type="hidden" name="form_id" value="{{.Form.FormID}}">
<input type="hidden" name="form_version" value="{{.Form.FormVersion}}">
<input type="hidden" name="lang" value="{{.Code}}">
{{with .List}}<input type="hidden" name="list" value="{{.}}">{{end}}
{{if .Embed}}<input type="hidden" name="embed" value="1">{{end}}
<p class="note">{{.T "subscribe.note"}}</p>
<button type="submit">{{.T "subscribe.button"}}</button>
</form>{{template "foot"}}{{end}}
{{define "confirm"}}{{template "head" .}}
<h1>{{.T "confirm.title"}}</h1>
<p>{{.T "confirm.text"}}</p>
<form method="post" action="/confirm"><input type="hidden" name="token" value="{{.Token}}"><input type="hidden" name="lang" value="{{.Code}}">
<button type="submit">{{.T "confirm.button"}}</button></form>{{template "foot"}}{{end}}
{{define "message"}}{{template "head" .}}
<h1>{{.Title}}</h1><p{{if .Error}} class="err" role="alert"{{end}}>{{.Text}}</p>{{template "foot"}}{{end}}
`))

// box is one checkbox of the subscribe page: Wording is its text as the evidence records it,
// the page shows the same text with the description isolated (loc.Isolate).
type box struct{ Name, Description, Wording string }

type subscribePage struct {
	loc
	Form  signup.Form
	Boxes []box
	Email string
	List  string
	Error string
	Embed bool // shown in a frame of the workspace's own site (the snippet)
}

// PageTitle is the page's title.
func (p subscribePage) PageTitle() string { return p.T("subscribe.title") }

// Action is the form's target, the workspace name escaped as one path segment.
func (p subscribePage) Action() string { return "/subscribe/" + url.PathEscape(p.Form.Workspace) }

func newSubscribePage(f signup.Form, list string) subscribePage {
	p := subscribePage{Form: f, List: list}
	for _, pu := range f.Purposes {
		p.Boxes = append(p.Boxes, box{Name: pu.Name, Description: pu.Description, Wording: signup.BoxWording(pu)})
	}
	return p
}

// localize gives the page its language, and its boxes their wording in it.
func (p *subscribePage) localize(l loc) {
	p.loc = l
	for i, pu := range p.Form.Purposes {
		p.Boxes[i].Wording = boxWording(l.Code(), pu)
	}
}

// boxWording is the text shown with a purpose's box in a language: the sentence is
// translated, the purpose's description stays as the workspace wrote it. English is the
// sign-up service's own wording.
func boxWording(lang string, p consent.Purpose) string { return signup.BoxWordingIn(lang, p) }

// wordings returns the text shown with each purpose's box, in the page's language: what
// the consent evidence records.
func wordings(lang string, ps []consent.Purpose) map[string]string {
	out := make(map[string]string, len(ps))
	for _, p := range ps {
		out[p.Name] = boxWording(lang, p)
	}
	return out
}

type confirmPage struct {
	loc
	Token string
}

// PageTitle is the page's title.
func (p confirmPage) PageTitle() string { return p.T("confirm.title") }

type messagePage struct {
	loc
	Title, Text string
	Error       bool
}

// PageTitle is the page's title.
func (p messagePage) PageTitle() string { return p.Title }

// render writes a public page, in the request's language, with headers that keep it
// self-contained and unframeable (the subscribe page in the snippet's frame, and the answer
// to its post, may be framed by the workspace's own sites, see frameAncestors).
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data localizer) {
	_, msg := data.(*messagePage)
	data.localize(s.pageLoc(w, r, !msg))
	h := w.Header()
	ancestors := "'none'"
	if embedded(r) {
		ancestors = s.frameAncestors(r.Context(), r.PathValue("workspace"))
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors "+ancestors+"; base-uri 'none'")
	if ancestors == "'none'" {
		h.Set("X-Frame-Options", "DENY")
	} else {
		h.Del("X-Frame-Options") // it cannot name origins; frame-ancestors does
	}
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		s.log.ErrorContext(r.Context(), "render public page", "page", name, "err", err)
	}
}

// embedded reports whether the request is the subscribe page in the snippet's frame
// (?embed=1, or the form's embed field): the form, and the answer to its post.
func embedded(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/subscribe/") && r.PathValue("workspace") != "" &&
		(r.URL.Query().Get("embed") == "1" || r.PostForm.Get("embed") == "1")
}

// frameAncestors is the CSP frame-ancestors source list of a workspace's embedded form: the
// origins its public.cors_origins setting allows ('none' without any).
func (s *Server) frameAncestors(ctx context.Context, ws string) string {
	op, ok := s.cfg.DOI.(OriginPolicy)
	if !ok {
		return "'none'"
	}
	origins, err := op.AllowedOrigins(ctx, ws)
	if err != nil {
		s.log.ErrorContext(ctx, "read allowed origins", "workspace", ws, "err", err)
		return "'none'"
	}
	var ok2 []string
	for _, o := range origins {
		if !strings.ContainsAny(o, " ;,'\"") { // a setting is validated; this keeps the header whole regardless
			ok2 = append(ok2, o)
		}
	}
	if len(ok2) == 0 {
		return "'none'"
	}
	return strings.Join(ok2, " ")
}

// message writes a page of one title and one text, both already in the page's language.
func (s *Server) message(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	s.render(w, r, status, "message", &messagePage{Title: title, Text: text, Error: status >= 400})
}

// say writes a page of one title and one text given as message keys (the text formatted
// with args), in the request's language.
func (s *Server) say(w http.ResponseWriter, r *http.Request, status int, titleKey, textKey string, args ...any) {
	lang := langOf(r)
	s.message(w, r, status, i18n.T(lang, titleKey), i18n.T(lang, textKey, args...))
}

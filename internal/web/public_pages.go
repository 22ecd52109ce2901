package web

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/signup"
)

// pages are the public HTML pages: self-contained, no scripts, no external assets.
var pages = template.Must(template.New("").Parse(`
{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{.}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:2em auto;padding:0 1em;color:#222}
label{display:block;margin:.6em 0}.err{color:#a00;font-weight:bold}button{font-size:1em;padding:.4em 1em}</style>
</head><body>{{end}}
{{define "subscribe"}}{{template "head" "Subscribe"}}
<h1>Subscribe</h1>
{{with .Error}}<p class="err" role="alert">{{.}}</p>{{end}}
<form method="post" action="{{.Action}}">
<label>E-mail address <input type="email" name="email" required maxlength="320" value="{{.Email}}" autocomplete="email"></label>
<fieldset><legend>What would you like to receive? Tick what you want; nothing is ticked for you.</legend>
{{range .Boxes}}<label><input type="checkbox" name="purpose" value="{{.Name}}"> {{.Wording}}</label>
<input type="hidden" name="shown" value="{{.Name}}">
{{end}}</fieldset>
<input type="hidden" name="form_id" value="{{.Form.FormID}}">
<input type="hidden" name="form_version" value="{{.Form.FormVersion}}">
{{with .List}}<input type="hidden" name="list" value="{{.}}">{{end}}
<p>We will send you an e-mail to confirm. Nothing is sent until you confirm.</p>
<button type="submit">Subscribe</button>
</form></body></html>{{end}}
{{define "confirm"}}{{template "head" "Confirm your subscription"}}
<h1>Confirm your subscription</h1>
<p>Press the button to confirm that you want to receive these e-mails.</p>
<form method="post" action="/confirm"><input type="hidden" name="token" value="{{.}}">
<button type="submit">Confirm my subscription</button></form></body></html>{{end}}
{{define "message"}}{{template "head" .Title}}
<h1>{{.Title}}</h1><p{{if .Error}} class="err" role="alert"{{end}}>{{.Text}}</p></body></html>{{end}}
`))

// box is one checkbox of the subscribe page.
type box struct{ Name, Wording string }

type subscribePage struct {
	Form  signup.Form
	Boxes []box
	Email string
	List  string
	Error string
}

// Action is the form's target, the workspace name escaped as one path segment.
func (p subscribePage) Action() string { return "/subscribe/" + url.PathEscape(p.Form.Workspace) }

func newSubscribePage(f signup.Form, list string) subscribePage {
	p := subscribePage{Form: f, List: list}
	for _, pu := range f.Purposes {
		p.Boxes = append(p.Boxes, box{Name: pu.Name, Wording: signup.BoxWording(pu)})
	}
	return p
}

// wordings returns the text shown with each purpose's box.
func wordings(ps []consent.Purpose) map[string]string {
	out := make(map[string]string, len(ps))
	for _, p := range ps {
		out[p.Name] = signup.BoxWording(p)
	}
	return out
}

type messagePage struct {
	Title, Text string
	Error       bool
}

// render writes a public page with headers that keep it self-contained and unframeable.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		s.log.ErrorContext(r.Context(), "render public page", "page", name, "err", err)
	}
}

func (s *Server) message(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	s.render(w, r, status, "message", messagePage{Title: title, Text: text, Error: status >= 400})
}

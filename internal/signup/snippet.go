package signup

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/i18n"
)

// Snippet is the sign-up form a site owner pastes into their own pages. Two kinds:
//
//   - "form" (the default): the form's HTML (every box unticked, the wording in one language)
//     and a short script that posts it as JSON to the sign-up API, which the workspace's
//     allowed origins (the public.cors_origins setting) may call with CORS. Without script,
//     the form takes the visitor to the subscribe page instead.
//   - "frame": a frame of the subscribe page (?embed=1), which the server lets only the
//     allowed origins frame; it posts to its own origin, needs no script, and follows each
//     visitor's language unless one is fixed.
type Snippet struct {
	Kind    string   `json:"kind" doc:"form or frame."`
	HTML    string   `json:"html" doc:"The HTML to paste into the site's page."`
	URL     string   `json:"url" doc:"The subscribe page itself, for a plain link."`
	Lang    string   `json:"lang,omitempty" doc:"The form's language; empty (frame only): each visitor's own."`
	Origins []string `json:"allowed_origins" doc:"The sites allowed to use it (public.cors_origins); none means no site can yet."`
}

// SnippetFormID names the pasted form in the consent evidence (with the page's address as
// its URL); the subscribe page is FormID.
const SnippetFormID = "subscribe-snippet"

// The snippet kinds.
const (
	SnippetForm  = "form"
	SnippetFrame = "frame"
)

// ErrNoPublicURL is returned when the server's public address is unknown.
var ErrNoPublicURL = errors.New("the server's public URL is not set: give --public-url (CLEARLIST_PUBLIC_URL), the address people reach the server at")

// BoxWordingIn is the text shown with a purpose's box in a language: the sentence is
// translated, the purpose's description stays as the workspace wrote it. English ("" too)
// is BoxWording.
func BoxWordingIn(lang string, p consent.Purpose) string {
	if lang == "" || lang == i18n.Default {
		return BoxWording(p)
	}
	return i18n.T(lang, "subscribe.box", p.Description)
}

var frameHTML = template.Must(template.New("frame").Parse(
	`<iframe src="{{.Src}}" title="{{.Title}}"{{with .Tag}} lang="{{.}}"{{end}} loading="lazy" style="border:0;width:100%;max-width:40em;height:36em"></iframe>`))

// formHTML is the pasted form. The script reads the wording from the page as shown, so the
// evidence records what the visitor saw; the answers it shows are the catalogue's.
var formHTML = template.Must(template.New("form").Parse(`<form class="clearlist-signup" method="get" action="{{.Page}}" lang="{{.Tag}}" dir="{{.Dir}}" data-api="{{.API}}" data-form-version="{{.Version}}" data-pending="{{.T "subscribe.pending"}}" data-err-email="{{.T "subscribe.err_email"}}" data-err-none="{{.T "subscribe.err_none_ticked"}}" data-err-other="{{.T "subscribe.err_other"}}">
{{with .List}}<input type="hidden" name="list" value="{{.}}">
{{end}}<input type="hidden" name="lang" value="{{.Lang}}">
<p><label>{{.T "subscribe.email"}} <input type="email" name="email" required maxlength="320" autocomplete="email" dir="ltr"></label></p>
<fieldset><legend>{{.T "subscribe.legend"}}</legend>
{{range .Boxes}}<p><label><input type="checkbox" name="purpose" value="{{.Name}}"> <span>{{.Wording}}</span></label></p>
{{end}}</fieldset>
<p>{{.T "subscribe.note"}}</p>
<p><button type="submit">{{.T "subscribe.button"}}</button></p>
<p class="clearlist-answer" role="status" aria-live="polite"></p>
</form>
<script>
(function (f) {
  f.addEventListener("submit", function (e) {
    e.preventDefault();
    var boxes = Array.prototype.slice.call(f.querySelectorAll("input[name=purpose]")), wording = {};
    boxes.forEach(function (b) { wording[b.value] = b.nextElementSibling.textContent; });
    var list = f.querySelector("input[name=list]"), lang = f.querySelector("input[name=lang]"), out = f.querySelector(".clearlist-answer"), d = f.dataset;
    fetch(d.api, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({
      email: f.email.value, purposes_shown: boxes.map(function (b) { return b.value; }),
      purposes_ticked: boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }),
      prechecked: [], form_id: "{{.FormID}}", form_version: d.formVersion, wording: wording,
      list: list ? list.value : "", form_url: location.href, lang: lang ? lang.value : ""})
    }).then(function (r) {
      if (r.ok) { out.textContent = d.pending; f.reset(); return; }
      return r.json().then(function (p) {
        var at = (p.errors && p.errors[0] && p.errors[0].location) || "", said = (p.errors && p.errors[0] && p.errors[0].message) || "";
        out.textContent = at === "body.email" ? d.errEmail : at === "body.purposes_ticked" ? d.errNone : said || d.errOther;
      });
    }).catch(function () { out.textContent = d.errOther; });
  });
})(document.currentScript.previousElementSibling);
</script>`))

type box struct{ Name, Wording string }

type formData struct {
	Page, API, Version, List, Lang, Tag, Dir, FormID string
	Boxes                                            []box
}

// T is the message key in the form's language.
func (d formData) T(key string) string { return i18n.T(d.Lang, key) }

// Snippet returns the embeddable form of workspace ws of a kind ("" is form; list: the list
// it joins, "" for none; lang: the language, "" for the visitor's in a frame and English in
// a form). The workspace must have a sign-up page (a public list, and list public when
// given), as for Form.
func (s *Service) Snippet(ctx context.Context, ws int64, list, lang, kind string) (Snippet, error) {
	kind = strings.ToLower(strings.TrimSpace(kind))
	if kind == "" {
		kind = SnippetForm
	}
	if kind != SnippetForm && kind != SnippetFrame {
		return Snippet{}, &InvalidError{Field: "kind", Message: fmt.Sprintf("kind %q: give form or frame", clip(kind))}
	}
	if lang != "" && !i18n.Supported(lang) {
		var codes []string
		for _, l := range i18n.Langs() {
			codes = append(codes, l.Code)
		}
		return Snippet{}, &InvalidError{Field: "lang", Message: fmt.Sprintf("language %q: give one of %s", clip(lang), strings.Join(codes, ", "))}
	}
	if s.PublicURL == "" {
		return Snippet{}, &InvalidError{Field: "public_url", Message: ErrNoPublicURL.Error()}
	}
	name, err := s.st.WorkspaceName(ctx, ws)
	if err != nil {
		return Snippet{}, err
	}
	form, err := s.Form(ctx, name, list)
	if errors.Is(err, ErrNoWorkspace) {
		what := "the workspace has no public list: open one with `clearlist list public NAME on`"
		if list != "" {
			what = fmt.Sprintf("the list %q is not public (or does not exist): open it with `clearlist list public %s on`", list, list)
		}
		return Snippet{}, &InvalidError{Field: "list", Message: what}
	} else if err != nil {
		return Snippet{}, err
	}
	origins, err := s.AllowedOrigins(ctx, name)
	if err != nil {
		return Snippet{}, err
	}
	base := strings.TrimRight(s.PublicURL, "/")
	page := base + "/subscribe/" + url.PathEscape(name)
	q := url.Values{}
	if list != "" {
		q.Set("list", list)
	}
	if lang != "" {
		q.Set("lang", lang)
	}
	out := Snippet{Kind: kind, URL: page, Lang: lang, Origins: origins}
	if len(q) > 0 {
		out.URL += "?" + q.Encode()
	}
	l, _ := i18n.Get(lang)
	var b strings.Builder
	if kind == SnippetFrame {
		q.Set("embed", "1")
		err = frameHTML.Execute(&b, struct{ Src, Title, Tag string }{page + "?" + q.Encode(), i18n.T(lang, "embed.title"), l.Tag})
	} else {
		if lang == "" {
			out.Lang, l = i18n.Default, langOrDefault(i18n.Default)
		}
		d := formData{Page: page, API: base + "/api/public/" + url.PathEscape(name) + "/subscribe", Version: form.FormVersion,
			List: list, Lang: l.Code, Tag: l.Tag, Dir: l.Dir, FormID: SnippetFormID}
		for _, p := range form.Purposes {
			d.Boxes = append(d.Boxes, box{Name: p.Name, Wording: BoxWordingIn(l.Code, p)})
		}
		err = formHTML.Execute(&b, d)
	}
	out.HTML = b.String()
	return out, err
}

func langOrDefault(code string) i18n.Lang {
	l, _ := i18n.Get(code)
	return l
}

package signup

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/clearlist/clearlist/internal/i18n"
)

// Snippet is the sign-up form a site owner pastes into their own pages: a frame of the
// workspace's subscribe page (?embed=1). The server lets only the workspace's allowed
// origins (the public.cors_origins setting) frame it, so the form posts to its own origin
// and keeps its protection against cross-site posts, records the wording it showed, and
// needs no script on either side.
type Snippet struct {
	HTML    string   `json:"html" doc:"The HTML to paste into the site's page."`
	URL     string   `json:"url" doc:"The subscribe page itself, for a plain link."`
	Lang    string   `json:"lang,omitempty" doc:"The form's fixed language; empty: each visitor's own (Accept-Language)."`
	Origins []string `json:"allowed_origins" doc:"The sites allowed to show the frame (public.cors_origins); none means no site can yet."`
}

// ErrNoPublicURL is returned when the server's public address is unknown.
var ErrNoPublicURL = errors.New("the server's public URL is not set: give --public-url (CLEARLIST_PUBLIC_URL), the address people reach the server at")

var snippetHTML = template.Must(template.New("snippet").Parse(
	`<iframe src="{{.Src}}" title="{{.Title}}"{{with .Lang}} lang="{{.}}"{{end}} loading="lazy" style="border:0;width:100%;max-width:40em;height:36em"></iframe>`))

// Snippet returns the embeddable form of workspace ws (list: the list it joins, "" for none;
// lang: a fixed language code, "" for the visitor's). The workspace must have a sign-up page
// (a public list, and list public when given), as for Form.
func (s *Service) Snippet(ctx context.Context, ws int64, list, lang string) (Snippet, error) {
	if lang != "" && !i18n.Supported(lang) {
		var codes []string
		for _, l := range i18n.Langs() {
			codes = append(codes, l.Code)
		}
		return Snippet{}, invalid("lang", "language %q: give one of %s", clip(lang), strings.Join(codes, ", "))
	}
	if s.PublicURL == "" {
		return Snippet{}, &InvalidError{Field: "public_url", Message: ErrNoPublicURL.Error()}
	}
	name, err := s.st.WorkspaceName(ctx, ws)
	if err != nil {
		return Snippet{}, err
	}
	if _, err := s.Form(ctx, name, list); errors.Is(err, ErrNoWorkspace) {
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
	q := url.Values{}
	if list != "" {
		q.Set("list", list)
	}
	if lang != "" {
		q.Set("lang", lang)
	}
	page := strings.TrimRight(s.PublicURL, "/") + "/subscribe/" + url.PathEscape(name)
	link := page
	if len(q) > 0 {
		link += "?" + q.Encode()
	}
	q.Set("embed", "1")
	var b strings.Builder
	err = snippetHTML.Execute(&b, struct{ Src, Title, Lang string }{page + "?" + q.Encode(), i18n.T(lang, "embed.title"), langTag(lang)})
	return Snippet{HTML: b.String(), URL: link, Lang: lang, Origins: origins}, err
}

func langTag(code string) string {
	l, _ := i18n.Get(code)
	return l.Tag
}

package render

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"text/template/parse"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// md converts Markdown with GitHub's extensions (tables, strikethrough, autolinks). Raw HTML
// is kept: the author of a campaign may write HTML in the Markdown, as in the HTML body.
var md = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
)

// markdownToHTML turns a Markdown body with template actions into an HTML template source.
// Markdown would mangle the actions ("{{if eq .Contact.plan "pro"}}" has its quotes escaped,
// an action in a link target is percent-encoded), so each action is replaced by a word of
// letters and digits, the Markdown converted, and the actions put back. An action alone in a
// paragraph that writes nothing ({{if}}, {{end}}…) loses the paragraph around it.
func markdownToHTML(src string) (string, error) {
	tree := parse.New("markdown")
	tree.Mode = parse.SkipFuncCheck | parse.ParseComments
	set := map[string]*parse.Tree{}
	if _, err := tree.Parse(src, "", "", set, funcs); err != nil {
		return "", templateError("markdown", err, nil)
	}
	if err := checkParsed("markdown", src, len(set), tree); err != nil {
		return "", err
	}
	ps, err := splitActions(src, tree)
	if err != nil {
		return "", &Error{Part: "markdown", Msg: err.Error()}
	}
	prefix := choosePrefix(src)
	var b strings.Builder
	var actions []piece
	for _, p := range ps {
		if !p.action {
			b.WriteString(p.src)
			continue
		}
		b.WriteString(prefix + strconv.Itoa(len(actions)) + "x")
		actions = append(actions, p)
	}
	var out bytes.Buffer
	if err := md.Convert([]byte(b.String()), &out); err != nil {
		return "", &Error{Part: "markdown", Msg: "convert: " + err.Error()}
	}
	tok := regexp.MustCompile(`(<p>)?` + prefix + `(\d+)x(</p>\n?)?`)
	html := tok.ReplaceAllStringFunc(out.String(), func(m string) string {
		sub := tok.FindStringSubmatch(m)
		n, _ := strconv.Atoi(sub[2])
		if n >= len(actions) {
			return m
		}
		a := actions[n]
		if sub[1] != "" && sub[3] != "" && !a.output {
			return a.src
		}
		return sub[1] + a.src + sub[3]
	})
	return html, nil
}

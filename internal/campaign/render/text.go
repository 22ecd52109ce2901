package render

import (
	"strconv"
	"strings"
	"text/template/parse"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Line and paragraph breaks are written as the separators lineBreak and paragraphBreak,
// not as newlines: Render's tidyText folds each run of them into the largest, so breaks owed on
// both sides of an {{if}} do not add up, whichever branch runs. Real newlines (from <pre> and
// from data) are kept as they are.
const (
	lineBreak      = '\x1d'
	paragraphBreak = '\x1e'
	indent         = '\x1f' // two spaces of a nested list item
)

var breakChars = [2]byte{lineBreak, paragraphBreak}

const breakSeparators = "\x1d\x1e"

// textWriter turns an HTML body into readable plain text: paragraphs and headings separated by
// a blank line, line breaks kept, list items as "- " or "1. ", table cells side by side, links
// as "text (url)", images, styles, scripts and hidden elements left out, white space collapsed.
//
// At Compile it runs over the inlined skeleton (tmpl set): its output is then a text/template
// source, in which the placeholders become the author's actions again and literal "{{" is
// escaped. At Render (the fallback) it runs over rendered HTML and writes plain text.
type textWriter struct {
	b       strings.Builder
	pending int  // line breaks owed before the next text (at most 2: one blank line)
	space   bool // a space owed before the next text
	pre     int  // depth inside <pre>
	lists   []int
	tmpl    bool
	prefix  string
	phs     []placeholder
	inURL   bool   // literal is writing a link target: its actions are escaped as in the href
	static  string // the link target's text so far, without its actions (inURL)
}

// deriveText converts the skeleton's body into a text template source.
func deriveText(body *html.Node, prefix string, phs []placeholder) string {
	w := &textWriter{tmpl: true, prefix: prefix, phs: phs}
	w.children(body)
	return w.b.String()
}

// htmlToText converts a rendered HTML body into plain text (the Render-time fallback).
func htmlToText(body *html.Node) string {
	w := &textWriter{}
	w.children(body)
	return w.b.String()
}

func (w *textWriter) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
}

func (w *textWriter) owe(lines int) {
	if w.pending < lines {
		w.pending = lines
	}
}

// flush writes what is owed before new text; nothing is owed at the very start.
func (w *textWriter) flush() {
	switch {
	case w.b.Len() == 0:
	case w.pending > 0:
		w.b.WriteByte(breakChars[w.pending-1])
	case w.space:
		w.b.WriteByte(' ')
	}
	w.pending, w.space = 0, false
}

func (w *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
	case html.CommentNode:
		w.comment(n.Data)
	case html.ElementNode:
		w.element(n)
	}
}

// comment writes the action a placeholder comment stands for.
func (w *textWriter) comment(data string) {
	if !w.tmpl || !strings.HasPrefix(data, w.prefix) {
		return
	}
	n, err := strconv.Atoi(strings.TrimSuffix(data[len(w.prefix):], "x"))
	if err != nil || n < 0 || n >= len(w.phs) {
		return // the preheader and footer markers
	}
	ph := w.phs[n]
	if ph.output {
		w.flush()
		w.b.WriteString(ph.src)
		return
	}
	// Owed line breaks are written on both sides of a condition (Render's tidying folds the
	// doubled ones), so that the text is laid out alike whichever branch runs.
	owed := w.pending
	w.flush()
	w.b.WriteString(ph.src)
	w.pending = owed
}

// text writes a text node's words, white space collapsed outside <pre>.
func (w *textWriter) text(s string) {
	if w.pre > 0 {
		w.flush()
		w.literal(s)
		return
	}
	for len(s) > 0 {
		i := strings.IndexFunc(s, isTextSpace)
		if i != 0 {
			word := s
			if i > 0 {
				word = s[:i]
			}
			w.flush()
			w.literal(word)
			s = s[len(word):]
			continue
		}
		w.space = true
		j := strings.IndexFunc(s, func(r rune) bool { return !isTextSpace(r) })
		if j < 0 {
			return
		}
		s = s[j:]
	}
}

func isTextSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0'
}

// literal writes text as it is, replacing placeholders by their actions and escaping "{{"
// when the output is a template.
func (w *textWriter) literal(s string) {
	if !w.tmpl {
		w.b.WriteString(s)
		return
	}
	for len(s) > 0 {
		i := strings.Index(s, w.prefix)
		j := strings.Index(s, "{{")
		switch {
		case j >= 0 && (i < 0 || j < i):
			w.addStatic(s[:j+2])
			w.b.WriteString(s[:j])
			w.b.WriteString(`{{"{{"}}`)
			s = s[j+2:]
		case i >= 0:
			w.addStatic(s[:i])
			w.b.WriteString(s[:i])
			s = s[i+len(w.prefix):]
			k := 0
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			n, err := strconv.Atoi(s[:k])
			if err == nil && k < len(s) && s[k] == 'x' && n < len(w.phs) {
				src := w.phs[n].src
				if w.inURL && w.phs[n].output {
					src = urlAction(src, w.static)
				}
				w.b.WriteString(src)
				s = s[k+1:]
			} else {
				w.b.WriteString(w.prefix)
			}
		default:
			w.addStatic(s)
			w.b.WriteString(s)
			return
		}
	}
}

// skipped elements write nothing.
var skipped = map[atom.Atom]bool{
	atom.Head: true, atom.Style: true, atom.Script: true, atom.Title: true, atom.Img: true,
	atom.Noscript: true, atom.Template: true, atom.Object: true, atom.Iframe: true,
	atom.Svg: true, atom.Button: true, atom.Input: true, atom.Select: true,
}

// paragraphs are set off by a blank line; lines by a line break.
var paragraphs = map[atom.Atom]bool{
	atom.P: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Ul: true, atom.Ol: true, atom.Blockquote: true, atom.Pre: true,
	atom.Hr: true, atom.Dl: true, atom.Figure: true,
}

var lines = map[atom.Atom]bool{
	atom.Div: true, atom.Tr: true, atom.Table: true, atom.Section: true, atom.Article: true,
	atom.Header: true, atom.Footer: true, atom.Center: true, atom.Address: true, atom.Dt: true,
	atom.Dd: true, atom.Tbody: true, atom.Thead: true, atom.Tfoot: true, atom.Main: true,
	atom.Nav: true, atom.Aside: true, atom.Form: true, atom.Caption: true,
}

func (w *textWriter) element(n *html.Node) {
	if skipped[n.DataAtom] || hidden(n) {
		return
	}
	switch {
	case n.DataAtom == atom.Br:
		if w.b.Len() > 0 && w.pending < 2 {
			w.pending++
		}
		return
	case n.DataAtom == atom.A:
		w.link(n)
		return
	case n.DataAtom == atom.Li:
		w.item(n)
		return
	case n.DataAtom == atom.Td || n.DataAtom == atom.Th:
		w.space = true
		w.children(n)
		w.space = true
		return
	case paragraphs[n.DataAtom]:
		// A list in a list item: its items follow on the next lines.
		nested := (n.DataAtom == atom.Ul || n.DataAtom == atom.Ol) && len(w.lists) > 0
		w.owe(2 - b2i(nested))
		if n.DataAtom == atom.Ol || n.DataAtom == atom.Ul {
			w.lists = append(w.lists, 0)
			if n.DataAtom == atom.Ul {
				w.lists[len(w.lists)-1] = -1
			}
			defer func() { w.lists = w.lists[:len(w.lists)-1] }()
		}
		if n.DataAtom == atom.Pre {
			w.pre++
			defer func() { w.pre-- }()
		}
		w.children(n)
		w.owe(2 - b2i(nested))
		return
	case lines[n.DataAtom]:
		w.owe(1)
		w.children(n)
		w.owe(1)
		return
	}
	w.children(n)
}

// item writes a list item with its marker.
func (w *textWriter) item(n *html.Node) {
	w.owe(1)
	w.flush()
	marker := "- "
	if d := len(w.lists); d > 0 {
		w.b.WriteString(strings.Repeat(string(rune(indent)), d-1))
		if w.lists[d-1] >= 0 {
			w.lists[d-1]++
			marker = strconv.Itoa(w.lists[d-1]) + ". "
		}
	}
	w.b.WriteString(marker)
	w.children(n)
	w.owe(1)
}

// link writes its text, then the target in parentheses unless the text already says it.
func (w *textWriter) link(n *html.Node) {
	start := w.b.Len()
	w.children(n)
	href := strings.TrimSpace(attr(n, "href"))
	low := strings.ToLower(href)
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(low, "javascript:") {
		return
	}
	label := strings.TrimSpace(w.b.String()[start:])
	shown, plain := strings.TrimPrefix(href, "mailto:"), ""
	if w.tmpl {
		// The link's actions are escaped as html/template escapes them in the href, so that
		// the text part links where the HTML part does.
		t := textWriter{tmpl: true, prefix: w.prefix, phs: w.phs}
		t.literal(href)
		plain = strings.TrimPrefix(t.b.String(), "mailto:")
		t = textWriter{tmpl: true, prefix: w.prefix, phs: w.phs, inURL: true}
		t.literal(href)
		shown = strings.TrimPrefix(t.b.String(), "mailto:")
	}
	if label == shown || label == href || (plain != "" && label == plain) {
		return
	}
	if label == "" {
		w.flush()
		w.b.WriteString(shown)
		return
	}
	w.b.WriteString(" (")
	w.b.WriteString(shown)
	w.b.WriteString(")")
}

// addStatic records the literal text of a link target (only while writing one).
func (w *textWriter) addStatic(s string) {
	if w.inURL {
		w.static += s
	}
}

// urlAction rewrites a single output action found in a link so that its value is escaped as
// html/template escapes it at that place of a URL: at the start (filtered and normalised),
// in the path (normalised) or in the query or fragment (escaped).
func urlAction(src string, static string) string {
	tr := parse.New("link")
	tr.Mode = parse.SkipFuncCheck | parse.ParseComments
	if _, err := tr.Parse(src, "", "", map[string]*parse.Tree{}); err != nil || tr.Root == nil || len(tr.Root.Nodes) != 1 {
		return src
	}
	a, ok := tr.Root.Nodes[0].(*parse.ActionNode)
	if !ok || len(a.Pipe.Decl) > 0 {
		return src
	}
	fn := urlStartFunc
	switch {
	case strings.ContainsAny(static, "?#"):
		fn = urlQueryFunc
	case static != "":
		fn = urlPathFunc
	}
	return "{{" + fn + " (" + a.Pipe.String() + ")}}"
}

// hidden reports an element styled display:none, such as an author's own preheader.
func hidden(n *html.Node) bool {
	s := attr(n, "style")
	if s == "" {
		return false
	}
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	return strings.Contains(s, "display:none")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

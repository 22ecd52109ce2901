package render

import (
	"errors"
	htmpl "html/template"
	"io"
	"sort"
	"strings"
	"text/template/parse"
)

// preheaderSnippet is the standard hidden preview text at the top of the body, followed by
// invisible filler so that mail clients do not pull body text into the preview.
var preheaderSnippet = `{{with .ClearlistPreheader}}<div style="display:none;font-size:1px;line-height:1px;` +
	`max-height:0px;max-width:0px;opacity:0;overflow:hidden;mso-hide:all;">{{.}}` +
	strings.Repeat("&#847;&zwnj;&nbsp;", 20) + `</div>{{end}}`

// footerSnippet is where Render's footer goes: the last thing in the body.
const footerSnippet = `{{.ClearlistFooter}}`

// actionLine maps a line of the compiled HTML template to the author's line.
type actionLine struct{ out, src int }

// compileBody prepares the HTML part (from HTML or Markdown) and, when no text is given, the
// derived text part.
func (c *Compiled) compileBody(t Template) error {
	part, src := "html", t.HTML
	if src == "" {
		if t.Markdown == "" {
			return &Error{Part: "html", Msg: "empty: give an HTML or a Markdown body"}
		}
		part = "markdown"
		var err error
		if src, err = markdownToHTML(t.Markdown); err != nil {
			return err
		}
	}
	c.htmlPart = part
	// Lines of errors found in the HTML made from Markdown would point into that HTML, not
	// into the author's Markdown: leave them out.
	authorLine := func(pos int) int {
		if part == "markdown" {
			return 0
		}
		return lineAt(src, pos)
	}

	// The author's source as html/template: syntax, functions, our rules, escaping contexts.
	h, err := htmpl.New("html").Funcs(funcs).Parse(src)
	if err != nil {
		return dropLine(templateError(part, err, nil), part == "markdown")
	}
	if err := checkParsed(part, src, len(h.Templates()), h.Tree); err != nil {
		return dropLine(err, part == "markdown")
	}
	ps, err := splitActions(src, h.Tree) // before escaping rewrites the tree
	if err != nil {
		return &Error{Part: part, Msg: err.Error()}
	}
	if err := escapeCheck(h); err != nil {
		return dropLine(templateError(part, err, nil), part == "markdown")
	}

	prefix := choosePrefix(src)
	skel, phs := skeleton(ps, prefix)
	in, err := inlineCSS(skel, prefix)
	if err != nil {
		return &Error{Part: part, Msg: err.Error()}
	}
	final, outPos, err := restore(in.doc, prefix, phs, preheaderSnippet, footerSnippet)
	if err != nil {
		var re *restoreError
		if errors.As(err, &re) {
			return dropLine(re.asTemplateError(part, src, phs), part == "markdown")
		}
		return err
	}
	c.htmlLines = mapLines(final, outPos, phs, authorLine)

	hf, err := htmpl.New("html").Funcs(funcs).Parse(final)
	if err != nil {
		return templateError(part, err, c.mapHTMLLine)
	}
	if !footerAtTop(hf.Tree) {
		return &Error{Part: part, Msg: "the footer would end up inside {{if}}, {{range}} or {{with}}: " +
			"close every block before the end of the body"}
	}
	if err := escapeCheck(hf); err != nil {
		return templateError(part, err, c.mapHTMLLine)
	}
	c.html = hf

	if t.Text == "" {
		c.text, err = compileText("text", deriveText(in.body, prefix, phs))
		c.textDerived = err == nil
		c.textFromHTML = err != nil
	}
	return nil
}

// escapeCheck runs html/template's escaper (it runs at the first execution) and returns its
// errors only: errors of executing without data are not the template's fault.
func escapeCheck(h *htmpl.Template) error {
	err := h.Execute(io.Discard, &execRoot{})
	var he *htmpl.Error
	if errors.As(err, &he) {
		return err
	}
	return nil
}

func dropLine(err error, drop bool) error {
	var te *Error
	if drop && errors.As(err, &te) {
		te.Line = 0
	}
	return err
}

// footerAtTop reports whether the footer action is at the top level of the template, where
// no condition or loop of the author can leave it out.
func footerAtTop(t *parse.Tree) bool {
	if t == nil || t.Root == nil {
		return false
	}
	for _, n := range t.Root.Nodes {
		if a, ok := n.(*parse.ActionNode); ok && a.String() == footerSnippet {
			return true
		}
	}
	return false
}

// mapLines records, for each restored action, its line in the compiled template and in the
// author's source.
func mapLines(final string, outPos []int, phs []placeholder, authorLine func(int) int) []actionLine {
	ls := make([]actionLine, len(outPos))
	line, at := 1, 0
	for i, p := range outPos {
		line += strings.Count(final[at:p], "\n")
		at = p
		ls[i] = actionLine{out: line, src: authorLine(phs[i].pos)}
	}
	return ls
}

// mapHTMLLine maps a line of the compiled HTML template to the author's line (0 when unknown).
func (c *Compiled) mapHTMLLine(line int) int {
	i := sort.Search(len(c.htmlLines), func(i int) bool { return c.htmlLines[i].out > line })
	if i == 0 {
		return 0
	}
	return c.htmlLines[i-1].src
}

// Package render turns a campaign template into one message for one recipient: subject,
// preheader, HTML and text parts, personalised from the contact's attributes and closed by the
// compliance footer. All the expensive work (parsing, Markdown, CSS inlining, deriving the text
// part) happens once in Compile; Render only executes the compiled templates.
//
// Semantics, in short:
//   - The HTML part is an html/template (contextual auto-escaping); the subject, preheader and
//     text part are text/templates. Templates see .Contact, .Campaign (maps) and .Workspace.
//   - A missing key renders as nothing, never "<no value>".
//   - Subject and preheader never contain a line break or another control character: each run of
//     control characters (C0, DEL, C1, U+2028, U+2029) and white space becomes one space, the
//     ends are trimmed and invalid UTF-8 becomes U+FFFD. A header built from them cannot be
//     split (no header injection), whatever the contact's attributes hold.
//   - Attribute values are data: they are written (escaped in HTML), never parsed as templates.
//   - The footer (sender, postal address, unsubscribe and preference links, the
//     legitimate-interest notice) is added by Render to both parts and cannot be removed by the
//     template: Compile refuses a template that would put it inside {{if}}, {{range}} or {{with}}.
//     RenderService renders a service message (a transactional receipt, not marketing) with
//     no footer at all; everything else is the same.
//   - define, block, template and range over a constant number are refused, so that a template
//     cannot recurse or loop without data; a source larger than MaxTemplateBytes is refused.
//
// How Compile prepares the HTML part:
//  1. Markdown (when there is no HTML) becomes HTML with goldmark, its actions protected by
//     placeholder words (markdown.go).
//  2. The author's HTML is parsed and escaped by html/template, so that its errors carry the
//     author's line numbers.
//  3. CSS is inlined once, with go-premailer, over a skeleton of the document in which every
//     action is a placeholder the HTML parser keeps in place (a comment in text, an attribute
//     between attributes, a word elsewhere); the actions are then put back and Compile checks
//     that each came back once, in order (skeleton.go). Inlining each rendered message instead
//     would cost milliseconds per recipient. A <style> holding an action is not inlined; class
//     names written by actions do not match selectors.
//  4. The hidden preheader and the footer are placed at the start and end of the body; the
//     text part is derived from the same skeleton as a text/template (text.go), falling back
//     to converting each rendered HTML only when that template would be invalid.
//
// Render runs the compiled trees with a small runner (fast.go) that avoids the engines'
// reflection and uses html/template's own escapers; anything it does not do exactly as the
// engines do is handed back to them, so the output is always theirs.
package render

import (
	"errors"
	htmpl "html/template"
	ttmpl "text/template"
	"text/template/parse"
)

// Template is a campaign message's sources as the author wrote them.
type Template struct {
	Subject   string // text/template, one line
	Preheader string // text/template, the inbox preview text; optional
	HTML      string // html/template; either HTML or Markdown is required
	Text      string // text/template; optional: derived from the HTML when empty
	Markdown  string // Markdown with template actions; used when HTML is empty
}

// Data is what a template may use: {{.Contact.first_name}}, {{.Campaign.name}}, {{.Workspace}}.
// The maps should hold JSON-like values (strings, numbers, booleans, nil, slices and maps of
// them): templates read them, they never call methods on them.
type Data struct {
	Contact   map[string]any
	Campaign  map[string]any
	Workspace string
}

// Rendered is one recipient's message, ready to be put into MIME.
type Rendered struct {
	Subject, Preheader, HTML, Text string
}

// Limits on what Compile accepts and Render produces.
const (
	// MaxTemplateBytes bounds the sum of a template's sources. Mailbox providers clip messages
	// above about 100 KB (Gmail: 102 KB), so 2 MiB leaves room for any real template while a
	// pasted 5 MB file gets a clear answer instead of a slow compile.
	MaxTemplateBytes = 2 << 20
	// MaxHeaderTemplateBytes bounds the subject and preheader sources (a header line is at
	// most 998 characters).
	MaxHeaderTemplateBytes = 998
	// MaxOutputBytes bounds one rendered part, so that a template looping over large data
	// stops with an error instead of exhausting memory.
	MaxOutputBytes = 10 << 20
)

// ErrTooLarge marks a template or a rendered part over the limits above.
var ErrTooLarge = errors.New("too large")

// Compiled is a template ready to render; it is safe for concurrent use.
type Compiled struct {
	subject   *ttmpl.Template // nil when the source is empty
	preheader *ttmpl.Template // nil when the source is empty
	html      *htmpl.Template
	htmlPart  string // "html" or "markdown", for error messages
	htmlLines []actionLine
	text      *ttmpl.Template // nil when textFromHTML
	// textDerived says the text template was derived from the HTML at Compile: its output is
	// tidied (blank-line runs collapsed) at Render.
	textDerived bool
	// The trees the fast runner executes (fast.go); nil where it cannot.
	subjectFast, preheaderFast, htmlFast, textFast *parse.ListNode
	// textFromHTML is the fallback when the HTML could not be turned into a text template:
	// the text part is converted from each rendered HTML body (slower).
	textFromHTML bool
}

// Compile parses, checks and prepares a template: Markdown to HTML, CSS inlined, text part
// derived. Its errors are *Error (naming the part and line) or wrap ErrTooLarge.
func Compile(t Template) (*Compiled, error) {
	if err := checkSizes(t); err != nil {
		return nil, err
	}
	c := &Compiled{}
	var err error
	if c.subject, err = compileHeader("subject", t.Subject, true); err != nil {
		return nil, err
	}
	if c.preheader, err = compileHeader("preheader", t.Preheader, false); err != nil {
		return nil, err
	}
	if err := c.compileBody(t); err != nil {
		return nil, err
	}
	if t.Text != "" {
		if c.text, err = compileText("text", t.Text); err != nil {
			return nil, err
		}
	}
	c.subjectFast = fastTree(c.subject)
	c.preheaderFast = fastTree(c.preheader)
	c.textFast = fastTree(c.text)
	if c.html != nil && fastable(c.html.Tree.Root) {
		c.htmlFast = c.html.Tree.Root // escaped by escapeCheck in compileBody
	}
	return c, nil
}

// fastTree is t's tree when the fast runner can execute it.
func fastTree(t *ttmpl.Template) *parse.ListNode {
	if t == nil || t.Tree == nil || !fastable(t.Tree.Root) {
		return nil
	}
	return t.Tree.Root
}

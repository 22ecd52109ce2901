package render

import (
	"bytes"
	"fmt"
	htmpl "html/template"
	"io"
	"strings"
	"sync"
	ttmpl "text/template"
	"text/template/parse"

	"golang.org/x/net/html"
)

// execRoot is the data the compiled templates execute with. The author's templates may use
// Contact, Campaign and Workspace only (Compile checks); the two others carry what Render
// adds to the HTML.
type execRoot struct {
	Contact            map[string]any
	Campaign           map[string]any
	Workspace          string
	ClearlistPreheader string
	ClearlistFooter    htmpl.HTML
}

// limitedBuffer is a reusable output buffer that refuses to grow past MaxOutputBytes, so that
// execution stops at the first write beyond the limit.
type limitedBuffer struct {
	bytes.Buffer
	part string
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > MaxOutputBytes {
		return 0, fmt.Errorf("the rendered %s part exceeds %d MiB: %w", b.part, MaxOutputBytes>>20, ErrTooLarge)
	}
	return b.Buffer.Write(p)
}

func (b *limitedBuffer) WriteString(s string) (int, error) {
	if b.Len()+len(s) > MaxOutputBytes {
		return 0, fmt.Errorf("the rendered %s part exceeds %d MiB: %w", b.part, MaxOutputBytes>>20, ErrTooLarge)
	}
	return b.Buffer.WriteString(s)
}

// renderState is what one Render reuses from the pool.
type renderState struct {
	buf    limitedBuffer
	fast   fastRun
	footer strings.Builder
	root   execRoot
}

var states = sync.Pool{New: func() any { return new(renderState) }}

// Render executes the compiled template for one recipient and adds the footer. It refuses an
// incomplete footer (ErrFooter) and data that is not JSON-like; execution errors are *Error
// naming the part and line.
func (c *Compiled) Render(d Data, f Footer) (Rendered, error) {
	if err := f.Validate(); err != nil {
		return Rendered{}, err
	}
	return c.render(d, &f)
}

// RenderService executes the compiled template for one recipient of a service message (a
// receipt, a password reset: not marketing), which carries no compliance footer: no
// unsubscribe or preferences link, no sender block. Everything else is as Render.
func (c *Compiled) RenderService(d Data) (Rendered, error) {
	return c.render(d, nil)
}

// render is Render with the footer f, or none when f is nil.
func (c *Compiled) render(d Data, f *Footer) (Rendered, error) {
	if err := checkData(d); err != nil {
		return Rendered{}, err
	}
	st := states.Get().(*renderState)
	defer func() {
		st.root = execRoot{}
		if st.buf.Cap() <= 1<<20 {
			states.Put(st)
		}
	}()
	st.root = execRoot{Contact: d.Contact, Campaign: d.Campaign, Workspace: d.Workspace}
	var r Rendered
	var err error
	if r.Subject, err = st.header(c.subject, c.subjectFast, "subject"); err != nil {
		return Rendered{}, err
	}
	if r.Preheader, err = st.header(c.preheader, c.preheaderFast, "preheader"); err != nil {
		return Rendered{}, err
	}

	st.footer.Reset()
	if f != nil {
		f.writeHTML(&st.footer, &english)
	}
	st.root.ClearlistPreheader = r.Preheader
	st.root.ClearlistFooter = htmpl.HTML(st.footer.String())
	st.buf.Reset()
	st.buf.part = c.htmlPart
	if err := st.execute(c.htmlFast, c.html, &st.root); err != nil {
		return Rendered{}, templateError(c.htmlPart, err, c.mapHTMLLine)
	}
	r.HTML = st.buf.String()

	st.buf.Reset()
	st.buf.part = "text"
	switch {
	case c.textFromHTML:
		if err := c.textFromRenderedHTML(st); err != nil {
			return Rendered{}, err
		}
	default:
		if err := st.execute(c.textFast, c.text, &st.root); err != nil {
			return Rendered{}, templateError("text", err, nil)
		}
	}
	st.footer.Reset()
	st.footer.Grow(st.buf.Len() + 512)
	if c.textDerived || c.textFromHTML {
		tidyText(&st.footer, st.buf.Bytes())
	} else {
		st.footer.WriteString(strings.TrimRight(st.buf.String(), " \t\r\n"))
	}
	if f != nil {
		f.writeText(&st.footer, &english)
	}
	r.Text = st.footer.String()
	st.footer = strings.Builder{} // its string is r.Text now
	return r, nil
}

// header renders the subject or preheader as one clean line.
func (st *renderState) header(t *ttmpl.Template, fast *parse.ListNode, part string) (string, error) {
	if t == nil {
		return "", nil
	}
	st.buf.Reset()
	st.buf.part = part
	if err := st.execute(fast, t, &st.root); err != nil {
		return "", templateError(part, err, nil)
	}
	return cleanLine(st.buf.String()), nil
}

// useFast lets tests compare the fast runner with the engines.
var useFast = true

// execute runs a compiled template into st.buf: the fast runner where it can (fast.go), the
// engine otherwise, or when the runner gives up half-way (its output is then discarded).
func (st *renderState) execute(fast *parse.ListNode, engine interface {
	Execute(io.Writer, any) error
}, root *execRoot) error {
	if fast != nil && useFast {
		start := st.buf.Len()
		st.fast.w, st.fast.root = &st.buf, root
		ok := st.fast.list(fast, root)
		st.fast.w, st.fast.root = nil, nil
		if ok {
			return nil
		}
		st.buf.Truncate(start)
	}
	return engine.Execute(&st.buf, root)
}

// textFromRenderedHTML is the fallback text part: the HTML rendered without preheader and
// footer, converted to text.
func (c *Compiled) textFromRenderedHTML(st *renderState) error {
	root := st.root
	root.ClearlistPreheader, root.ClearlistFooter = "", ""
	if err := c.html.Execute(&st.buf, &root); err != nil {
		return templateError(c.htmlPart, err, c.mapHTMLLine)
	}
	doc, err := html.Parse(bytes.NewReader(st.buf.Bytes()))
	if err != nil {
		return &Error{Part: "text", Msg: "derive from the HTML: " + err.Error()}
	}
	st.buf.Reset()
	if body := findBody(doc); body != nil {
		st.buf.WriteString(htmlToText(body))
	}
	return nil
}

func findBody(n *html.Node) *html.Node {
	if n.Type == html.ElementNode && n.Data == "body" {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if b := findBody(c); b != nil {
			return b
		}
	}
	return nil
}

// tidyText writes derived text with each run of break separators (see textWriter) folded
// into its largest, as a newline or a blank line; spaces next to a break and breaks at the
// ends are dropped; an indent separator becomes two spaces.
func tidyText(b *strings.Builder, s []byte) {
	brk, started := 0, false
	for len(s) > 0 {
		i := bytes.IndexAny(s, breakSeparators)
		seg := s
		if i >= 0 {
			seg = s[:i]
		}
		if seg = bytes.Trim(seg, " \t"); len(seg) > 0 {
			if started {
				b.WriteString("\n\n"[:brk])
			}
			if bytes.IndexByte(seg, indent) >= 0 {
				seg = bytes.ReplaceAll(seg, []byte{indent}, []byte("  "))
			}
			b.Write(seg)
			started, brk = true, 0
		}
		if i < 0 {
			break
		}
		if s[i] == lineBreak {
			brk = max(brk, 1)
		} else {
			brk = 2
		}
		s = s[i+1:]
	}
}

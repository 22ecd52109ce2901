package campaign

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"net/mail"
	"strings"
	"sync"
	texttemplate "text/template"

	"github.com/clearlist/clearlist/internal/deliver"
)

// BasicRenderer is a minimal Renderer for the send pipeline's own tests and benchmarks: app
// wires the Composer, and this one has no compliance footer, headers or signature. Go
// templates over the contact's attributes ({{.Contact.first_name}}, {{.Contact.email}}), the HTML part auto-escaped, the
// subject on one line. Compiled templates are kept per campaign version.
type BasicRenderer struct {
	// Footer is appended to the text part (the unsubscribe line until the real footer).
	Footer string
	cache  sync.Map // compiledKey -> *basicCompiled
}

type compiledKey struct {
	id      int64
	updated int64
	variant int
}

type basicCompiled struct {
	subject, text *texttemplate.Template
	html          *htmltemplate.Template
}

// Render personalises the campaign's message for the recipient.
func (b *BasicRenderer) Render(_ context.Context, c Campaign, r Recipient) (deliver.Message, error) {
	t, err := b.compiled(c, r.Variant)
	if err != nil {
		return deliver.Message{}, err
	}
	contact := map[string]any{}
	if len(r.Attrs) > 0 {
		if err := json.Unmarshal(r.Attrs, &contact); err != nil {
			return deliver.Message{}, fmt.Errorf("contact %d attributes: %w", r.ContactID, err)
		}
	}
	contact["email"] = r.Address
	data := map[string]any{"Contact": contact, "Campaign": map[string]any{"name": c.Name, "purpose": c.Purpose}}
	run := func(exec func(*bytes.Buffer) error) (string, error) {
		var buf bytes.Buffer
		err := exec(&buf)
		return buf.String(), err
	}
	m := deliver.Message{From: (&mail.Address{Name: c.FromName, Address: c.FromAddress}).String(), To: r.Address,
		Headers: map[string]string{}}
	if m.Subject, err = run(func(w *bytes.Buffer) error { return t.subject.Execute(w, data) }); err != nil {
		return m, fmt.Errorf("subject: %w", err)
	}
	m.Subject = strings.Join(strings.Fields(m.Subject), " ") // a header never takes a line break
	if t.text != nil {
		if m.Text, err = run(func(w *bytes.Buffer) error { return t.text.Execute(w, data) }); err != nil {
			return m, fmt.Errorf("text part: %w", err)
		}
	}
	if t.html != nil {
		if m.HTML, err = run(func(w *bytes.Buffer) error { return t.html.Execute(w, data) }); err != nil {
			return m, fmt.Errorf("HTML part: %w", err)
		}
	}
	if m.Text == "" {
		m.Text = stripTags(m.HTML)
	}
	if b.Footer != "" {
		m.Text += "\n\n" + b.Footer
	}
	if c.ReplyTo != "" {
		m.Headers["Reply-To"] = c.ReplyTo
	}
	return m, nil
}

func (b *BasicRenderer) compiled(c Campaign, variant int) (*basicCompiled, error) {
	key := compiledKey{c.ID, c.UpdatedAt.UnixNano(), variant}
	if v, ok := b.cache.Load(key); ok {
		return v.(*basicCompiled), nil
	}
	t := &basicCompiled{}
	var err error
	opt := "missingkey=zero"
	if t.subject, err = texttemplate.New("subject").Option(opt).Parse(c.Subject); err != nil {
		return nil, fmt.Errorf("%w: subject: %v", ErrInvalid, err)
	}
	text := c.Text
	if text == "" {
		text = c.Markdown
	}
	if text != "" {
		if t.text, err = texttemplate.New("text").Option(opt).Parse(text); err != nil {
			return nil, fmt.Errorf("%w: text part: %v", ErrInvalid, err)
		}
	}
	if c.HTML != "" {
		if t.html, err = htmltemplate.New("html").Option(opt).Parse(c.HTML); err != nil {
			return nil, fmt.Errorf("%w: HTML part: %v", ErrInvalid, err)
		}
	}
	b.cache.Store(key, t)
	return t, nil
}

func stripTags(html string) string {
	var b strings.Builder
	in := false
	for _, r := range html {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

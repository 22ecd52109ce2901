package campaign

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzBasicRender: whatever the template and the contact's attributes, rendering does not
// panic, the subject never carries a line break (header injection), and an attribute's
// markup is escaped in the HTML part.
func FuzzBasicRender(f *testing.F) {
	f.Add("Hello {{.Contact.first_name}}", "<p>{{.Contact.first_name}}</p>", "Ann")
	f.Add("{{.Contact.first_name}}", "{{if .Contact.vip}}VIP{{end}}", "x\r\nBcc: evil@example.com")
	f.Add("{{", "{{.Contact.a.b.c}}", "<script>alert(1)</script>")
	f.Fuzz(func(t *testing.T, subject, html, name string) {
		attrs, _ := json.Marshal(map[string]any{"first_name": name})
		c := Campaign{ID: 1, Name: "f", FromAddress: "news@sender.example", Content: Content{Subject: subject, HTML: html}}
		m, err := (&BasicRenderer{}).Render(context.Background(), c, Recipient{Address: "a@example.org", Attrs: attrs})
		if err != nil {
			return
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Fatalf("subject %q carries a line break", m.Subject)
		}
		if strings.Contains(name, "<script>") && strings.Contains(m.HTML, "<script>") && !strings.Contains(html, "<script>") {
			t.Fatalf("an attribute's markup reached the HTML part unescaped: %q", m.HTML)
		}
	})
}

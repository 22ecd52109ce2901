package render

import (
	"errors"
	"fmt"
	"strings"
)

// Footer is what the law and the mailbox providers require at the end of every message.
// Render adds it to both parts; the template cannot leave it out.
type Footer struct {
	SenderName, PostalAddress      string // both required
	UnsubscribeURL, PreferencesURL string // unsubscribe required (https, http or mailto); preferences optional
	// LegitimateInterest says the recipient is mailed on legitimate interest; the processing
	// notice and the "why you get this" sentence (from the contact's provenance) are then
	// required and shown.
	LegitimateInterest              bool
	ProcessingNotice, WhyYouGetThis string
}

// ErrFooter marks a footer that lacks what every message must carry.
var ErrFooter = errors.New("incomplete compliance footer")

// wording is the footer's fixed text. One place, so that a Lang field can choose another.
type wording struct {
	SentBy, Unsubscribe, Preferences, WhyLabel string
}

var english = wording{
	SentBy:      "Sent by",
	Unsubscribe: "Unsubscribe",
	Preferences: "Manage your preferences",
	WhyLabel:    "Why you get this:",
}

// Validate checks that the footer carries what every message must: sender, postal address, a
// working unsubscribe link and, for legitimate interest, the notice and the reason.
func (f Footer) Validate() error {
	missing := func(what, fix string) error {
		return fmt.Errorf("%w: %s is missing: %s", ErrFooter, what, fix)
	}
	switch {
	case strings.TrimSpace(f.SenderName) == "":
		return missing("the sender name", "set the sender identity of the campaign")
	case strings.TrimSpace(f.PostalAddress) == "":
		return missing("the postal address", "set the workspace's postal address")
	case f.UnsubscribeURL == "":
		return missing("the unsubscribe link", "configure the public base URL for unsubscribe links")
	case f.LegitimateInterest && strings.TrimSpace(f.ProcessingNotice) == "":
		return missing("the processing notice (legitimate interest)", "set the workspace's processing notice")
	case f.LegitimateInterest && strings.TrimSpace(f.WhyYouGetThis) == "":
		return missing("the \"why you get this\" sentence (legitimate interest)", "record the contact's source")
	}
	if err := checkLink("unsubscribe", f.UnsubscribeURL); err != nil {
		return err
	}
	if f.PreferencesURL != "" {
		return checkLink("preferences", f.PreferencesURL)
	}
	return nil
}

// checkLink accepts absolute https, http and mailto links without spaces or control characters.
func checkLink(what, u string) error {
	low := strings.ToLower(u)
	ok := (strings.HasPrefix(low, "https://") && len(u) > 8) ||
		(strings.HasPrefix(low, "http://") && len(u) > 7) ||
		(strings.HasPrefix(low, "mailto:") && len(u) > 7)
	for i := 0; ok && i < len(u); i++ {
		ok = u[i] > ' ' && u[i] != 0x7f
	}
	if !ok {
		return fmt.Errorf("%w: the %s link %q is not an absolute https, http or mailto link", ErrFooter, what, u)
	}
	return nil
}

// footerStyle keeps the footer visible whatever the template's style sheet says: inline
// !important declarations win over any rule of a <style> element.
const footerStyle = `display:block !important;visibility:visible !important;opacity:1 !important;` +
	`margin:24px 0 0 0;padding:12px 0 0 0;border-top:1px solid #dddddd;` +
	`font-family:Arial,Helvetica,sans-serif;font-size:12px !important;line-height:18px;color:#555555 !important;`

const footerPStyle = `display:block !important;margin:0 0 8px 0;`
const footerAStyle = `color:#555555 !important;text-decoration:underline;`

// writeHTML writes the footer as HTML, every value escaped.
func (f *Footer) writeHTML(b *strings.Builder, w *wording) {
	b.Grow(1200 + len(f.SenderName) + len(f.PostalAddress) + len(f.UnsubscribeURL) + len(f.PreferencesURL) +
		len(f.ProcessingNotice) + len(f.WhyYouGetThis))
	b.WriteString(`<div style="` + footerStyle + `">`)
	if f.LegitimateInterest {
		b.WriteString(`<p style="` + footerPStyle + `">`)
		escapeHTML(b, w.WhyLabel)
		b.WriteByte(' ')
		writeOneLine(b, f.WhyYouGetThis, true)
		b.WriteString(`</p><p style="` + footerPStyle + `">`)
		writeOneLine(b, f.ProcessingNotice, true)
		b.WriteString(`</p>`)
	}
	b.WriteString(`<p style="` + footerPStyle + `">`)
	escapeHTML(b, w.SentBy)
	b.WriteByte(' ')
	writeOneLine(b, f.SenderName, true)
	b.WriteString(", ")
	writeOneLine(b, f.PostalAddress, true)
	b.WriteString(`</p><p style="` + footerPStyle + `"><a href="`)
	escapeHTML(b, f.UnsubscribeURL)
	b.WriteString(`" style="` + footerAStyle + `">`)
	escapeHTML(b, w.Unsubscribe)
	b.WriteString(`</a>`)
	if f.PreferencesURL != "" {
		b.WriteString(` | <a href="`)
		escapeHTML(b, f.PreferencesURL)
		b.WriteString(`" style="` + footerAStyle + `">`)
		escapeHTML(b, w.Preferences)
		b.WriteString(`</a>`)
	}
	b.WriteString(`</p></div>`)
}

// writeText writes the footer as plain text after a separator line.
func (f *Footer) writeText(b *strings.Builder, w *wording) {
	b.WriteString("\n\n--\n")
	if f.LegitimateInterest {
		b.WriteString(w.WhyLabel)
		b.WriteByte(' ')
		writeOneLine(b, f.WhyYouGetThis, false)
		b.WriteByte('\n')
		writeOneLine(b, f.ProcessingNotice, false)
		b.WriteString("\n\n")
	}
	b.WriteString(w.SentBy)
	b.WriteByte(' ')
	writeOneLine(b, f.SenderName, false)
	b.WriteString(", ")
	writeOneLine(b, f.PostalAddress, false)
	b.WriteByte('\n')
	b.WriteString(w.Unsubscribe + ": ")
	b.WriteString(f.UnsubscribeURL)
	b.WriteByte('\n')
	if f.PreferencesURL != "" {
		b.WriteString(w.Preferences + ": ")
		b.WriteString(f.PreferencesURL)
		b.WriteByte('\n')
	}
}

// writeOneLine writes a value on one line: its lines (a postal address is often written on
// several) joined with ", ", control characters removed (see cleanLine), escaped for HTML
// when html is set.
func writeOneLine(b *strings.Builder, s string, html bool) {
	first := true
	for s != "" {
		line, rest, _ := strings.Cut(s, "\n")
		s = rest
		line = cleanLine(line) // also trims, and removes a CR
		if line == "" {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		if html {
			escapeHTML(b, line)
		} else {
			b.WriteString(line)
		}
	}
}

// escapeHTML writes s escaped for HTML text and quoted attribute values.
func escapeHTML(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case 0:
			esc = "\uFFFD"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
}

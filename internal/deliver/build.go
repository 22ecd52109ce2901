package deliver

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"mime"
	"net/mail"
	"sort"
	"strings"
	"sync"
	"time"
)

// builder renders messages into reused buffers: a campaign builds one message per recipient,
// so the buffers come from a sync.Pool instead of the garbage collector.
type builder struct {
	msg    []byte // the message without signatures
	signed []byte // DKIM-Signature fields + msg
	out    []byte // the message as sent: msg or signed
	keys   []string
}

var builders = sync.Pool{New: func() any { return &builder{msg: make([]byte, 0, 16<<10)} }}

func getBuilder() *builder { return builders.Get().(*builder) }

func putBuilder(b *builder) {
	if cap(b.msg) > 1<<20 || cap(b.signed) > 1<<20 { // keep no giant buffers alive
		return
	}
	builders.Put(b)
}

// build renders m into b.out and returns the envelope sender and recipient.
func (b *builder) build(m *Message) (envFrom, envTo string, err error) {
	p, err := m.parse()
	if err != nil {
		return "", "", err
	}
	b.msg = b.appendMessage(b.msg[:0], m, &p)
	b.out = b.msg
	if m.DKIM != nil {
		sig, err := m.DKIM.Sign(b.msg)
		if err != nil {
			return "", "", err
		}
		b.signed = append(append(b.signed[:0], sig...), b.msg...)
		b.out = b.signed
	}
	return p.returnPath, p.to.Address, nil
}

var qEncoder = mime.QEncoding

func (b *builder) appendMessage(dst []byte, m *Message, p *parsed) []byte {
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	dst = appendHeader(dst, "From", formatAddress(p.from))
	dst = appendHeader(dst, "To", formatAddress(p.to))
	if p.replyTo != nil {
		dst = appendHeader(dst, "Reply-To", formatAddress(p.replyTo))
	}
	dst = appendHeader(dst, "Subject", encodeText(m.Subject))
	dst = appendHeader(dst, "Date", date.Format(time.RFC1123Z))
	id := m.MessageID
	if id == "" {
		id = NewMessageID(p.from.Address)
	}
	dst = appendHeader(dst, "Message-ID", "<"+id+">")
	if m.ListID != "" {
		dst = appendHeader(dst, "List-Id", encodeListID(m.ListID))
	}
	if m.UnsubscribeURL != "" || m.UnsubscribeMailto != "" {
		var v string
		if m.UnsubscribeURL != "" {
			v = "<" + m.UnsubscribeURL + ">"
		}
		if mt := m.UnsubscribeMailto; mt != "" {
			if !strings.HasPrefix(mt, "mailto:") {
				mt = "mailto:" + mt
			}
			if v != "" {
				v += ", "
			}
			v += "<" + mt + ">"
		}
		dst = appendHeader(dst, "List-Unsubscribe", v)
		if m.UnsubscribeURL != "" {
			dst = appendHeader(dst, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
		}
	}
	if m.FeedbackID != "" {
		dst = appendHeader(dst, "Feedback-ID", m.FeedbackID)
	}
	if len(m.Headers) > 0 {
		b.keys = b.keys[:0]
		for k := range m.Headers {
			b.keys = append(b.keys, k)
		}
		sort.Strings(b.keys) // the same message renders the same bytes
		for _, k := range b.keys {
			dst = appendHeader(dst, k, encodeText(m.Headers[k]))
		}
	}
	dst = append(dst, "MIME-Version: 1.0\r\n"...)
	if m.HTML == "" {
		dst = appendPartHeader(dst, "text/plain")
		return appendQP(dst, m.Text)
	}
	boundary := newBoundary()
	dst = append(dst, "Content-Type: multipart/alternative; boundary=\""...)
	dst = append(dst, boundary...)
	dst = append(dst, "\"\r\n\r\n"...)
	for _, part := range [2]struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		dst = append(dst, "--"...)
		dst = append(dst, boundary...)
		dst = append(dst, "\r\n"...)
		dst = appendPartHeader(dst, part.typ)
		dst = appendQP(dst, part.body)
	}
	dst = append(dst, "--"...)
	dst = append(dst, boundary...)
	return append(dst, "--\r\n"...)
}

func appendPartHeader(dst []byte, typ string) []byte {
	dst = append(dst, "Content-Type: "...)
	dst = append(dst, typ...)
	return append(dst, "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"...)
}

// appendHeader writes "Name: value" folded at spaces so that lines stay near 78 characters.
func appendHeader(dst []byte, name, value string) []byte {
	line := name + ": " + value
	for len(line) > 78 {
		i := strings.LastIndexByte(line[:78], ' ')
		if i <= len(name)+1 { // no space to fold at before 78: fold at the next one
			j := strings.IndexByte(line[78:], ' ')
			if j < 0 {
				break
			}
			i = 78 + j
		}
		dst = append(dst, line[:i]...)
		dst = append(dst, "\r\n"...)
		line = line[i:] // starts with the space that makes it a continuation line
	}
	dst = append(dst, line...)
	return append(dst, "\r\n"...)
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' {
			return false
		}
	}
	return true
}

// encodeText makes unstructured header text 7-bit (RFC 2047 encoded words when needed).
func encodeText(s string) string {
	if isPlainASCII(s) && !strings.Contains(s, "=?") {
		return s
	}
	return qEncoder.Encode("utf-8", s)
}

// encodeListID encodes the description of "description <id>" and leaves the id alone.
func encodeListID(s string) string {
	if isPlainASCII(s) {
		return s
	}
	if i := strings.LastIndexByte(s, '<'); i > 0 {
		return qEncoder.Encode("utf-8", strings.TrimSpace(s[:i])) + " " + s[i:]
	}
	return s
}

func formatAddress(a *mail.Address) string {
	if a.Name == "" {
		return a.Address // a bare address needs no angle brackets or quoting
	}
	return a.String()
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewMessageID returns a unique Message-ID (without angle brackets) in the domain of addr.
func NewMessageID(addr string) string {
	var b [15]byte
	rand.Read(b[:])
	domain := "clearlist.invalid"
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i+1 < len(addr) {
		domain = addr[i+1:]
	}
	return strings.ToLower(idEncoding.EncodeToString(b[:])) + "@" + domain
}

// newBoundary returns a MIME boundary; "=_" cannot occur in quoted-printable text, so the
// boundary never collides with a body line.
func newBoundary() string {
	var b [12]byte
	rand.Read(b[:])
	return "=_" + hex.EncodeToString(b[:])
}

package deliver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// FuzzAppendQP: the encoding decodes back to the text (line ends as CRLF), keeps lines within
// 76 characters and never starts a line with a dot.
func FuzzAppendQP(f *testing.F) {
	for _, s := range []string{"", "a", ".", "a \nb\t\r\n.c", strings.Repeat("x", 200), strings.Repeat("é=", 60),
		"line with trailing space \n", "\r\r\n\n", strings.Repeat(" ", 80) + "\n", strings.Repeat("a", 74) + ".\n."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := appendQP(nil, s)
		for _, line := range strings.Split(strings.TrimSuffix(string(enc), "\r\n"), "\r\n") {
			if len(line) > 76 || strings.HasPrefix(line, ".") || strings.ContainsAny(line, "\r\n") {
				t.Fatalf("bad line %q in %q", line, enc)
			}
			if n := len(line); n > 0 && (line[n-1] == ' ' || line[n-1] == '\t') {
				t.Fatalf("trailing white space in %q", line)
			}
		}
		dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(enc)))
		if err != nil {
			t.Fatalf("decode %q: %v", enc, err)
		}
		want := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
		if want != "" && !strings.HasSuffix(want, "\r\n") {
			want += "\r\n"
		}
		if string(dec) != want {
			t.Fatalf("round trip of %q:\n got %q\nwant %q", s, dec, want)
		}
	})
}

// TestBuildCampaignHeaders: the campaign fields become their headers, the parts decode back
// to the text, and the lines stay short.
func TestBuildCampaignHeaders(t *testing.T) {
	m := campaignMessage(3)
	m.From = "Zoë's Café <news@sender.example>"
	m.Subject = "Neuigkeiten für Sie – " + strings.Repeat("lang ", 30)
	m.Text = "Hallo,\n.dot line\nEnde"
	m.Date = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	m.Headers = map[string]string{"X-Campaign": "7"}
	b, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\r\n") {
		// 78 is the aim; an encoded word after "Subject: " may go a little over (998 is the rule).
		word := strings.TrimSpace(line)
		if _, v, ok := strings.Cut(word, ": "); ok && line[0] != ' ' {
			word = v
		}
		if len(line) > 78 && (len(line) > 998 || strings.Contains(word, " ")) {
			t.Errorf("line longer than 78 that could have been folded: %q", line)
		}
	}
	if bytes.Contains(b, []byte("\n.")) || bytes.Contains(bytes.ReplaceAll(b, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("a line starts with a dot, or a bare LF")
	}
	mr, err := gomail.CreateReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	h := mr.Header
	subj, _ := h.Subject()
	from, _ := h.AddressList("From")
	id, _ := h.MessageID()
	date, _ := h.Date()
	for name, c := range map[string]struct{ got, want string }{
		"Subject":               {subj, m.Subject},
		"From":                  {from[0].Name, "Zoë's Café"},
		"List-Unsubscribe":      {h.Get("List-Unsubscribe"), "<https://sender.example/u/tok>, <mailto:unsubscribe@sender.example>"},
		"List-Unsubscribe-Post": {h.Get("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click"},
		"List-Id":               {h.Get("List-Id"), "News <news.1.sender.example>"},
		"Feedback-ID":           {h.Get("Feedback-Id"), "c2:w1:marketing:clearlist"},
		"X-Campaign":            {h.Get("X-Campaign"), "7"},
		"Message-ID domain":     {id[strings.IndexByte(id, '@')+1:], "sender.example"},
		"Date":                  {date.UTC().String(), m.Date.String()},
		"Return-Path":           {h.Get("Return-Path"), ""}, // the receiver writes it from the envelope
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", name, c.got, c.want)
		}
	}
	var parts []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p.Body)
		parts = append(parts, string(body))
	}
	if len(parts) != 2 || parts[0] != "Hallo,\r\n.dot line\r\nEnde" || parts[1] != "<p>Hello reader</p>" {
		t.Fatalf("parts %q", parts)
	}
	from2, to, _ := m.Envelope()
	if !strings.HasPrefix(from2, "bounces+1.2.3.") || to != "reader3@example.org" {
		t.Fatalf("envelope %q → %q", from2, to)
	}
}

func TestMessageIDsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewMessageID("a@sender.example")
		if seen[id] || !strings.HasSuffix(id, "@sender.example") {
			t.Fatalf("id %q repeated or in the wrong domain", id)
		}
		seen[id] = true
	}
}

// TestMessageRefusesCampaignHeaderInjection: no field that becomes a header takes CR or LF,
// and the extra headers cannot replace one the message writes.
func TestMessageRefusesCampaignHeaderInjection(t *testing.T) {
	for name, edit := range map[string]func(*Message){
		"ReturnPath":        func(m *Message) { m.ReturnPath = "b@x.example\r\nBcc: v@x.example" },
		"ReplyTo":           func(m *Message) { m.ReplyTo = "b@x.example\nBcc: v@x.example" },
		"MessageID":         func(m *Message) { m.MessageID = "id@x\r\nBcc: v@x.example" },
		"ListID":            func(m *Message) { m.ListID = "l <l.x>\rBcc: v@x.example" },
		"FeedbackID":        func(m *Message) { m.FeedbackID = "a:b\nBcc: v" },
		"UnsubscribeURL":    func(m *Message) { m.UnsubscribeURL = "https://x.example/u\r\nBcc: v" },
		"UnsubscribeMailto": func(m *Message) { m.UnsubscribeMailto = "u@x.example\nBcc: v" },
		"Subject NUL":       func(m *Message) { m.Subject = "a\x00b" },
		"header name":       func(m *Message) { m.Headers = map[string]string{"X Y": "1"} },
		"header From":       func(m *Message) { m.Headers = map[string]string{"from": "evil@x.example"} },
		"header List-Id":    func(m *Message) { m.Headers = map[string]string{"List-ID": "other"} },
		"http unsubscribe":  func(m *Message) { m.UnsubscribeURL = "http://x.example/u" },
		"bracket in URL":    func(m *Message) { m.UnsubscribeURL = "https://x.example/u>, <https://evil.example" },
	} {
		m := campaignMessage(1)
		edit(&m)
		if _, err := m.Bytes(); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: err = %v, want ErrInvalidMessage", name, err)
		}
		if err := newTestPoolNoRelay(t).Send(context.Background(), m); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: pool err = %v, want ErrInvalidMessage", name, err)
		}
	}
}

// newTestPoolNoRelay is a pool whose relay is never reached: invalid messages fail first.
func newTestPoolNoRelay(t *testing.T) *Pool {
	p, err := NewPool(PoolConfig{Relays: []Relay{{Addr: "127.0.0.1:1", TLS: TLSNone}}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWriteDotStuffed(t *testing.T) {
	for in, want := range map[string]string{
		"a\r\nb\r\n":       "a\r\nb\r\n.\r\n",
		".a\r\n..b\r\n":    "..a\r\n...b\r\n.\r\n",
		"a\r\n.":           "a\r\n..\r\n.\r\n",
		"no line end":      "no line end\r\n.\r\n",
		"x\r\n.\r\n.y\r\n": "x\r\n..\r\n..y\r\n.\r\n",
	} {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		writeDotStuffed(w, []byte(in))
		w.Flush()
		if buf.String() != want {
			t.Errorf("%q → %q, want %q", in, buf.String(), want)
		}
	}
}

func TestReadReply(t *testing.T) {
	for in, want := range map[string]reply{
		"250 ok\r\n": {250, "", "ok"},
		"250-sink.test\r\n250-PIPELINING\r\n250 SIZE\r\n": {250, "", "sink.test\nPIPELINING\nSIZE"},
		"550 5.1.1 no such user\r\n":                      {550, "5.1.1", "no such user"},
		"451 4.7.1 greylisted, try later\r\n":             {451, "4.7.1", "greylisted, try later"},
		"421\r\n":                                         {421, "", ""},
	} {
		c := &conn{br: bufio.NewReader(strings.NewReader(in))}
		got, err := c.readReply()
		if err != nil || got != want {
			t.Errorf("%q → %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"hello\r\n", "250-a\r\n251 b\r\n", "25\r\n", ""} {
		c := &conn{br: bufio.NewReader(strings.NewReader(in))}
		if _, err := c.readReply(); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

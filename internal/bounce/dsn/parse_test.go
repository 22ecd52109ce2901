package dsn

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func samples(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/bounces/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

func TestParseKinds(t *testing.T) {
	s := samples(t)
	for file, want := range map[string]Kind{
		"arf-01.eml":           KindComplaint,
		"rfc3834-01.eml":       KindAutoReply,
		"lhost-postfix-04.eml": KindBounce,
		"lhost-exim-02.eml":    KindBounce,
		"lhost-qmail-01.eml":   KindBounce,
	} {
		rep, err := Parse(s[file])
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if rep.Kind != want {
			t.Errorf("%s: kind %s, want %s", file, rep.Kind, want)
		}
	}
}

func TestParseDetails(t *testing.T) {
	s := samples(t)
	rep, err := Parse(s["lhost-exim-02.eml"])
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Recipients) != 2 || rep.Recipients[0].Address != "kijitora@example.jp" || rep.Recipients[1].Address != "sabatora@example.jp" {
		t.Fatalf("recipients: %+v", rep.Recipients)
	}
	r := rep.Recipients[0]
	if r.Status != "5.1.1" || r.ReplyCode != "550" || r.Command != "RCPT" || r.Reason != "userunknown" || !r.Hard {
		t.Errorf("first recipient: %+v", r)
	}
	if strings.Contains(r.Diagnostic, "\n") {
		t.Errorf("diagnostic not unfolded: %q", r.Diagnostic)
	}
	if rep.Original.MessageID != "E1X58pB-0004bW-2s@marutamachi.example.org" || rep.Original.ReturnPath != "shironeko@example.jp" {
		t.Errorf("original: %+v", rep.Original)
	}

	rep, err = Parse(s["arf-01.eml"])
	if err != nil {
		t.Fatal(err)
	}
	if rep.FeedbackType != "abuse" || len(rep.Recipients) != 1 || rep.Recipients[0].Reason != "feedback" || rep.Recipients[0].Hard {
		t.Errorf("complaint: %s %+v", rep.FeedbackType, rep.Recipients)
	}
}

func TestParseReply(t *testing.T) {
	raw := "From: Ann <ann@example.org>\r\nTo: news@example.com\r\nSubject: Re: our offer\r\n\r\nPlease remove me from your list.\r\n"
	rep, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kind != KindReply || len(rep.Recipients) != 0 || rep.From != "Ann <ann@example.org>" || !strings.Contains(rep.Text, "remove me") {
		t.Errorf("reply: %+v", rep)
	}
}

func TestParseBadInput(t *testing.T) {
	for name, raw := range map[string][]byte{
		"empty":       nil,
		"spaces":      []byte("   \n\n"),
		"binary":      {0, 1, 2, 0xff, 0xfe, '\n', '\n', 0},
		"no header":   []byte("just some text without any header\n"),
		"bad mime":    []byte("From: a@b\r\nContent-Type: multipart/report; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; c@d.example\r\nStatus: 5.1.1\r\n"),
		"no boundary": []byte("From: a@b\r\nContent-Type: multipart/mixed\r\n\r\nbody\r\n"),
	} {
		rep, err := Parse(raw)
		if err == nil && rep == nil {
			t.Errorf("%s: nil report without error", name)
		}
	}
	// A truncated multipart report still yields what it has.
	rep, err := Parse([]byte("From: MAILER-DAEMON@mx.example\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; c@d.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"))
	if err != nil || len(rep.Recipients) != 1 || rep.Recipients[0].Reason != "userunknown" {
		t.Errorf("truncated report: %v %+v", err, rep)
	}
}

// TestParseHuge parses a 50 MB message: only its first megabytes are looked at.
func TestParseHuge(t *testing.T) {
	s := samples(t)
	base := s["lhost-postfix-04.eml"]
	big := make([]byte, 0, 50<<20+len(base))
	big = append(big, base...)
	line := bytes.Repeat([]byte("A"), 76)
	line = append(line, '\r', '\n')
	for len(big) < 50<<20 {
		big = append(big, line...)
	}
	rep, err := Parse(big)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Recipients) != 1 || rep.Recipients[0].Reason != "userunknown" {
		t.Errorf("huge: %+v", rep.Recipients)
	}
}

func FuzzParse(f *testing.F) {
	for _, b := range samples(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		rep, err := Parse(raw)
		if err != nil {
			return
		}
		for _, r := range rep.Recipients {
			if r.Reason == "" {
				t.Fatalf("recipient without a reason: %+v", r)
			}
		}
	})
}

// BenchmarkParse parses the whole sample set per iteration; msgs/s is the figure to read.
func BenchmarkParse(b *testing.B) {
	s := samples(b)
	var all [][]byte
	var size int64
	for _, raw := range s {
		all = append(all, raw)
		size += int64(len(raw))
	}
	b.SetBytes(size / int64(len(all)))
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if _, err := Parse(all[n%len(all)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}

func TestSplitMbox(t *testing.T) {
	one := []byte("From: a@b\n\nbody\n")
	if got := SplitMbox(one); len(got) != 1 {
		t.Errorf("plain message split into %d", len(got))
	}
	two := []byte("From x Thu Jul  2 12:05:05 2020\nFrom: a@b\n\nbody\nFrom here on\n\nFrom y Thu Jul  2 12:05:06 2020\nFrom: c@d\n\nbody\n")
	if got := SplitMbox([]byte("From x Thu Jul  2 12:05:05 2020\nFrom: a@b\n\nFrom Mon Jul to Fri\n")); len(got) != 1 {
		t.Errorf("a body line split the message: %q", got)
	}
	got := SplitMbox(two)
	if len(got) != 2 || !bytes.Contains(got[0], []byte("From here on")) || !bytes.HasPrefix(got[1], []byte("From y")) {
		t.Errorf("mbox split: %q", got)
	}
}

func TestParseVERP(t *testing.T) {
	raw := "From: MAILER-DAEMON@mx.example\r\nTo: bounces+c42.x7@news.example.com\r\nSubject: Undelivered Mail Returned to Sender\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nI'm sorry.\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; Ann@Example.ORG\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <ann@example.org>: Recipient address rejected: User unknown\r\n--x\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <m1@news.example.com>\r\nFeedback-ID: c42:news:clearlist\r\nList-Id: <news.example.com>\r\nSubject: Hello\r\n\r\n--x--\r\n"
	rep, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	o := rep.Original
	if o.ReturnPath != "bounces+c42.x7@news.example.com" || o.MessageID != "m1@news.example.com" || o.FeedbackID != "c42:news:clearlist" || o.ListID != "<news.example.com>" {
		t.Errorf("original: %+v", o)
	}
	if len(rep.Recipients) != 1 || rep.Recipients[0].Address != "Ann@example.org" || !rep.Recipients[0].Hard {
		t.Errorf("recipients: %+v", rep.Recipients)
	}
}

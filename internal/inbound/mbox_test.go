package inbound

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readAll(t *testing.T, s string, max int) ([]string, int) {
	t.Helper()
	r := NewMboxReader(strings.NewReader(s), max)
	var out []string
	tooBig := 0
	for {
		m, err := r.Next()
		if err == io.EOF {
			return out, tooBig
		}
		if errors.Is(err, ErrTooLarge) {
			tooBig++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(m))
	}
}

func TestMboxReader(t *testing.T) {
	mbox := "From MAILER-DAEMON Fri Dec  4 10:00:00 2026\nSubject: one\n\nbody\n>From the start\n>>From quoted twice\nFrom within a paragraph\n\n" +
		"From someone@example.org Fri Dec  4 10:01:00 2026\r\nSubject: two\r\n\r\nsecond\r\n\r\n" +
		"From x Fri Dec  4 10:02:00 2026\nSubject: three\n\nno final newline"
	got, _ := readAll(t, mbox, 1<<20)
	want := []string{
		"Subject: one\n\nbody\nFrom the start\n>From quoted twice\nFrom within a paragraph\n",
		"Subject: two\r\n\r\nsecond\r\n",
		"Subject: three\n\nno final newline",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("messages (-want +got):\n%s", d)
	}
}

func TestMboxReaderSkipsTooLarge(t *testing.T) {
	big := strings.Repeat("x", 5000)
	mbox := "From a\nSubject: small\n\n" + "From b\nSubject: big\n\n" + big + "\n\nFrom c\nSubject: long line\n" + strings.Repeat("y", 200000) + "\n\nFrom d\nSubject: last\n"
	got, tooBig := readAll(t, mbox, 4096)
	if d := cmp.Diff([]string{"Subject: small\n", "Subject: last\n"}, got); d != "" || tooBig != 2 {
		t.Errorf("too large: %d (want 2); messages (-want +got):\n%s", tooBig, d)
	}
}

func TestMboxReaderNotMbox(t *testing.T) {
	if _, err := NewMboxReader(strings.NewReader("Subject: an eml file\n\nhi\n"), 1<<20).Next(); !errors.Is(err, ErrNotMbox) {
		t.Errorf("got %v, want ErrNotMbox", err)
	}
	if _, err := NewMboxReader(strings.NewReader("\n\n"), 1<<20).Next(); err != io.EOF {
		t.Errorf("empty file: %v, want io.EOF", err)
	}
}

// FuzzMbox checks that what WriteMbox writes, MboxReader reads back the same (a final line
// end added), and that no input makes the reader fail other than by its errors.
func FuzzMbox(f *testing.F) {
	f.Add([]byte("Subject: a\n\nFrom here\n>From there\n"), []byte("b\r\n\r\n"), []byte(""))
	f.Add([]byte("From x\n\nFrom y"), []byte("\n"), []byte(">>>From z\n\n\n"))
	f.Fuzz(func(t *testing.T, a, b, c []byte) {
		msgs := [][]byte{a, b, c}
		var buf bytes.Buffer
		if err := WriteMbox(&buf, msgs); err != nil {
			t.Fatal(err)
		}
		r := NewMboxReader(bytes.NewReader(buf.Bytes()), 1<<20)
		for i, want := range msgs {
			if len(want) > 0 && want[len(want)-1] != '\n' {
				want = append(want[:len(want):len(want)], '\n')
			}
			got, err := r.Next()
			if err != nil {
				t.Fatalf("message %d: %v\n%q", i+1, err, buf.Bytes())
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("message %d: got %q, want %q\nmbox %q", i+1, got, want, buf.Bytes())
			}
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("after the last message: %v", err)
		}
		// Any bytes at all: messages or the reader's errors, never a panic or a loop.
		r = NewMboxReader(bytes.NewReader(append([]byte("From "), a...)), 64)
		for range 1000 {
			if _, err := r.Next(); err != nil && !errors.Is(err, ErrTooLarge) {
				break
			}
		}
	})
}

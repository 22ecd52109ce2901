package inbound

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/clearlist/clearlist/internal/bounce"
)

func TestReadFiles(t *testing.T) {
	dir := t.TempDir()
	put := func(name, s string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	one := put("one.eml", "Subject: one\n\nbody\n")
	put("tree/a/two.eml", "Subject: two\n")
	put("tree/b.mbox", "From x\nSubject: three\n\nFrom y\nSubject: four\n")
	put("tree/.hidden", "Subject: hidden\n")
	put("tree/c/big.eml", "Subject: big\n\n"+strings.Repeat("z", 300))

	var got []string
	err := ReadFiles([]string{one, filepath.Join(dir, "tree")}, 200, func(m FileMessage) error {
		rel, _ := filepath.Rel(dir, m.Name)
		if m.Err != nil {
			if !errors.Is(m.Err, ErrTooLarge) {
				t.Errorf("%s: %v", rel, m.Err)
			}
			got = append(got, rel+" too large")
			return nil
		}
		got = append(got, rel+" "+strings.SplitN(string(m.Raw), "\n", 2)[0])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"one.eml Subject: one", "tree/a/two.eml Subject: two", "tree/b.mbox#1 Subject: three",
		"tree/b.mbox#2 Subject: four", "tree/c/big.eml too large"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("messages (-want +got):\n%s", d)
	}
	if err := ReadFiles([]string{filepath.Join(dir, "missing")}, 200, func(FileMessage) error { return nil }); err == nil {
		t.Error("a missing path gave no error")
	}
}

func TestSummary(t *testing.T) {
	var s Summary
	s.Add(bounce.IngestResult{Kind: "bounce"}, nil)
	s.Add(bounce.IngestResult{Kind: "bounce", Ignored: "forged VERP address"}, nil)
	s.Add(bounce.IngestResult{Kind: "complaint"}, nil)
	s.Add(bounce.IngestResult{Kind: "autoreply"}, nil)
	s.Add(bounce.IngestResult{Kind: "reply"}, nil)
	s.Add(bounce.IngestResult{Kind: "unknown"}, nil)
	s.Add(bounce.IngestResult{}, errors.New("locked"))
	want := Summary{Messages: 7, Bounces: 1, Complaints: 1, Replies: 2, Ignored: 2, Errors: 1}
	if s != want {
		t.Errorf("got %+v, want %+v", s, want)
	}
}

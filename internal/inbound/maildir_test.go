package inbound

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/bounce"
)

func maildir(t *testing.T, msgs map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"new", "cur", "tmp"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range msgs {
		if err := os.WriteFile(filepath.Join(dir, "new", name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{"new", "cur"} {
		es, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			out = append(out, sub+"/"+e.Name())
		}
	}
	return out
}

func TestMaildirPoll(t *testing.T) {
	dir := maildir(t, map[string]string{"1.a.host": dsnBody, "2.b.host": "Subject: reply\r\n\r\nstop\r\n",
		"3.c.host": "Subject: big\r\n\r\n" + strings.Repeat("x", 2000), ".hidden": "x"})
	sink := newSink()
	m := &Maildir{Dir: dir, Sink: sink, MaxBytes: 1000}
	n, err := m.Poll(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("Poll: %d, %v; want 2 stored", n, err)
	}
	got := sink.messages()
	if len(got) != 2 || string(got[0].raw) != dsnBody || got[0].via != bounce.ViaMaildir {
		t.Fatalf("sink got %+v", got)
	}
	want := []string{"new/.hidden", "cur/1.a.host:2,S", "cur/2.b.host:2,S", "cur/3.c.host:2,S"}
	if g := names(t, dir); !slices.Equal(g, want) {
		t.Errorf("folders: %v, want %v", g, want)
	}
	// Nothing new: nothing given again.
	if n, err := m.Poll(context.Background()); n != 0 || err != nil || len(sink.messages()) != 2 {
		t.Errorf("second poll: %d, %v, sink has %d", n, err, len(sink.messages()))
	}
}

// A message the sink could not store stays in new/ and is given again on the next round:
// nothing is lost, as when the process is killed between storing and moving.
func TestMaildirKeepsWhatWasNotStored(t *testing.T) {
	dir := maildir(t, map[string]string{"1.a.host": dsnBody, "2.b.host": dsnBody})
	sink := newSink()
	sink.err = errors.New("database is locked")
	m := &Maildir{Dir: dir, Sink: sink}
	if _, err := m.Poll(context.Background()); err == nil {
		t.Fatal("a transient error was not reported (the job would not retry)")
	}
	if g := names(t, dir); !slices.Equal(g, []string{"new/1.a.host", "new/2.b.host"}) {
		t.Fatalf("after the failed round: %v", g)
	}
	sink.err = nil
	if n, err := m.Poll(context.Background()); n != 2 || err != nil {
		t.Fatalf("retry: %d, %v", n, err)
	}
	// A message refused for good is not tried for ever.
	dir = maildir(t, map[string]string{"9.z.host": "garbage"})
	sink.err = permanentErr{"not a message"}
	m.Dir = dir
	if n, err := m.Poll(context.Background()); n != 0 || err != nil {
		t.Fatalf("refused: %d, %v", n, err)
	}
	if g := names(t, dir); !slices.Equal(g, []string{"cur/9.z.host:2,S"}) {
		t.Errorf("after a refused message: %v", g)
	}
}

func TestMaildirMissing(t *testing.T) {
	m := &Maildir{Dir: filepath.Join(t.TempDir(), "nope"), Sink: newSink()}
	if _, err := m.Poll(context.Background()); err == nil || !strings.Contains(err.Error(), "new/") {
		t.Errorf("missing folder: %v", err)
	}
}

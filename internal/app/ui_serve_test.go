package app

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// lockedBuffer is a log sink the server's goroutines may write to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeHintsOwner: serve on a database without users says how to create the owner, with
// the exact command; once there is one, it says nothing of the kind.
func TestServeHintsOwner(t *testing.T) {
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	var logs lockedBuffer
	a.Log = slog.New(slog.NewTextHandler(&logs, nil))
	serveOnce(t, a)
	if !strings.Contains(logs.String(), "create the owner with `clearlist user add EMAIL --role owner`") {
		t.Fatalf("no hint in the log:\n%s", logs.String())
	}
	ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	if _, err := a.Users.Add(ctx, "o@example.com", "", "a long enough passphrase", a.Workspace.ID, access.RoleOwner); err != nil {
		t.Fatal(err)
	}
	logs = lockedBuffer{}
	serveOnce(t, a)
	if strings.Contains(logs.String(), "clearlist user add") {
		t.Fatalf("hint with an owner present:\n%s", logs.String())
	}
}

// serveOnce starts the server, waits until it answers (start-up done) and stops it.
func serveOnce(t *testing.T, a *App) {
	t.Helper()
	base, stop := startServer(t, a)
	defer stop()
	resp, err := http.Get(base + "/healthz") // answered only once start-up is done
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

package app

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestServeDoubleOptInOutbox: `clearlist serve` without an SMTP relay serves the public pages
// and writes confirmation mails, with links to itself, to DATA-DIR/outbox.
func TestServeDoubleOptInOutbox(t *testing.T) {
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	publicList(t, a.st, a.Workspace.ID, "news")
	base, stop := startServer(t, a)
	res, err := http.Get(base + "/subscribe/default")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("subscribe page: %v %v", res, err)
	}
	res.Body.Close()
	res, err = http.Post(base+"/api/public/default/subscribe", "application/json", strings.NewReader(
		`{"email":"out@example.com","purposes_shown":["newsletter"],"purposes_ticked":["newsletter"],"prechecked":[],"form_id":"f","form_version":"1","wording":"Yes"}`))
	if err != nil || res.StatusCode != 202 {
		t.Fatalf("subscribe: %v %v", res, err)
	}
	res.Body.Close()
	stop()
	files, _ := filepath.Glob(filepath.Join(a.Cfg.DataDir, "outbox", "*.eml"))
	if len(files) != 1 {
		t.Fatalf("outbox: %v", files)
	}
	b, _ := os.ReadFile(files[0])
	if !strings.Contains(strings.ReplaceAll(string(b), "=\r\n", ""), base+"/confirm?token=") {
		t.Fatalf("mail has no link to %s:\n%s", base, b)
	}
}

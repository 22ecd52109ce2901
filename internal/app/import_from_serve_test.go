package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/store"
)

// TestServeImportFrom: the import API's from= reads Mailchimp's cleaned file into a
// hard-bounce entry dated as Mailchimp recorded it, audited as the token's; the finished
// import's sender summary lists the columns not taken in; bad from= and list_status= are 422s.
func TestServeImportFrom(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		_, token, err := a.st.CreateToken(ctx, a.Workspace.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		base, stop := startServer(t, a)
		defer stop()
		call := func(method, path, ctype, body string) (int, string) {
			return apiCall(t, method, base+path, token, ctype, body)
		}
		cleaned, err := os.ReadFile("../imports/formats/testdata/mailchimp_cleaned.csv")
		if err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]string{
			"from=constantcontact":                 "query.from",
			"from=mailchimp&list_status=confirmed": "query.list_status",
			"from=mailchimp":                       "evidence=wording=",
		} {
			if code, out := call("POST", "/api/v1/imports?source_type=api&"+q, "text/csv", string(cleaned)); code != 422 || !strings.Contains(out, want) {
				t.Errorf("%s: %d %s", q, code, out)
			}
		}
		code, out := call("POST", "/api/v1/imports?source_type=api&from=mailchimp&drop_undeclared=true&consent_purpose=newsletter&evidence=wording%3DYes%2C+please", "text/csv", string(cleaned))
		var im store.Import
		if err := json.Unmarshal([]byte(out), &im); code != http.StatusAccepted || err != nil {
			t.Fatalf("upload: %d %s", code, out)
		}
		for deadline := time.Now().Add(20 * time.Second); im.Status != store.ImportDone; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) || im.Status == store.ImportFailed {
				t.Fatalf("import did not finish: %+v", im)
			}
			_, out = call("GET", fmt.Sprintf("/api/v1/imports/%d", im.ID), "", "")
			im = store.Import{}
			json.Unmarshal([]byte(out), &im)
		}
		s := im.Sender
		if im.Inserted != 1 || s == nil || s.Kind != "cleaned" || s.Added != 1 || s.DoNotContact["hard-bounce"] != 1 || len(s.Leftover) == 0 {
			t.Fatalf("import %s", out)
		}
		got, err := a.Suppressions.SuppressionsFor(ctx, a.Workspace.ID, "email", "bounced@example.org")
		if err != nil || len(got) != 1 || got[0].Reason != "hard-bounce" ||
			!got[0].ReceivedAt.Equal(time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC)) || !strings.HasPrefix(got[0].RecordedBy, "token:") {
			t.Errorf("entries %+v, %v", got, err)
		}
	})
}

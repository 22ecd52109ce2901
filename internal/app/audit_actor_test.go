package app

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store"
)

// TestAuditActors: a change made through the API is recorded with its token (id, name, role)
// and request id; one made on the public stop form with the visitor's IP as a keyed hash,
// never in clear; the trail is readable by admin and compliance tokens only.
func TestAuditActors(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		e, _ := newPublicEnv(t, dsn)
		ws := e.a.Workspace.ID
		setup := audit.WithActor(context.Background(), audit.Actor{Kind: audit.System, Name: "test"})
		tokens := map[string]string{}
		ids := map[string]int64{}
		for _, role := range []string{store.RoleAdmin, store.RoleCompliance, store.RoleMarketer} {
			tok, secret, err := e.a.Store.CreateTokenWithRole(setup, ws, role+"-token", role)
			if err != nil {
				t.Fatal(err)
			}
			tokens[role], ids[role] = secret, tok.ID
		}
		head, err := e.a.Store.AuditEntries(setup, ws, audit.Filter{Limit: 1})
		if err != nil || len(head) != 1 {
			t.Fatalf("audit head: %v, %v", head, err)
		}
		code, body := apiCall(t, "POST", e.ts.URL+"/api/v1/lists", tokens[store.RoleMarketer], "application/json", `{"name":"audited"}`)
		if code != 201 {
			t.Fatalf("create list: %d %s", code, body)
		}
		if code, body := e.postForm(t, "/stop/default", url.Values{"value": {"stopper@example.com"}}, "ua"); code != 200 {
			t.Fatalf("stop form: %d %s", code, body)
		}

		if code, body := apiCall(t, "GET", e.ts.URL+"/api/v1/audit", tokens[store.RoleMarketer], "", ""); code != 403 {
			t.Fatalf("marketer reads the audit trail: %d %s", code, body)
		}
		code, body = apiCall(t, "GET", e.ts.URL+"/api/v1/audit?limit=10", tokens[store.RoleCompliance], "", "")
		if code != 200 {
			t.Fatalf("GET /api/v1/audit: %d %s", code, body)
		}
		if strings.Contains(body, "stopper@example.com") || strings.Contains(body, "127.0.0.1") {
			t.Fatalf("the audit trail shows a personal value in clear: %s", body)
		}
		var out struct{ Items []audit.Entry }
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		byAction := map[string]audit.Entry{}
		for _, en := range out.Items {
			if _, seen := byAction[en.Action]; !seen {
				byAction[en.Action] = en
			}
		}
		list := byAction["list.create"].Actor
		if list.Kind != audit.Token || list.ID != strconv.FormatInt(ids[store.RoleMarketer], 10) || list.Name != "marketer-token" ||
			list.Role != store.RoleMarketer || list.RequestID == "" {
			t.Errorf("list.create actor = %+v; want the marketer token with a request id", list)
		}
		stop := byAction["suppression.add"].Actor
		if stop.Kind != audit.Public || !strings.HasPrefix(stop.ID, audit.PersonalPrefix) || stop.RequestID == "" {
			t.Errorf("suppression.add actor = %+v; want a public visitor with a keyed hash of the IP", stop)
		}
		for _, en := range out.Items {
			if en.Seq > head[0].Seq && en.Actor.Kind == audit.Unknown {
				t.Errorf("entry %d (%s) has no actor: a path does not set one", en.ID, en.Action)
			}
		}
	})
}

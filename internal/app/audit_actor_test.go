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
			tok, secret, err := e.a.st.CreateTokenWithRole(setup, ws, role+"-token", role)
			if err != nil {
				t.Fatal(err)
			}
			tokens[role], ids[role] = secret, tok.ID
		}
		head, err := e.a.st.AuditEntries(setup, ws, audit.Filter{Limit: 1})
		if err != nil || len(head) != 1 {
			t.Fatalf("audit head: %v, %v", head, err)
		}
		// Each API write leaves exactly one new entry, by the token that made it.
		write := func(method, path, body string, want int, action string) string {
			t.Helper()
			before, err := e.a.st.AuditEntries(setup, ws, audit.Filter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			code, out := apiCall(t, method, e.ts.URL+path, tokens[store.RoleMarketer], "application/json", body)
			if code != want {
				t.Fatalf("%s %s: %d %s", method, path, code, out)
			}
			after, err := e.a.st.AuditEntries(setup, ws, audit.Filter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before)+1 || after[0].Action != action || after[0].Actor.Kind != audit.Token ||
				after[0].Actor.ID != strconv.FormatInt(ids[store.RoleMarketer], 10) {
				t.Fatalf("%s %s: %d new entries, newest %+v; want one %s by the marketer token", method, path,
					len(after)-len(before), after[0], action)
			}
			return out
		}
		id := func(body string) string {
			var v struct{ ID int64 }
			if err := json.Unmarshal([]byte(body), &v); err != nil || v.ID == 0 {
				t.Fatalf("no id in %s", body)
			}
			return strconv.FormatInt(v.ID, 10)
		}
		list := id(write("POST", "/api/v1/lists", `{"name":"audited"}`, 201, "list.create"))
		write("PATCH", "/api/v1/lists/"+list, `{"public":true}`, 200, "list.public")
		c := id(write("POST", "/api/v1/contacts", `{"email":"ann@example.com","source":{"source_type":"api"}}`, 201, "contact.create"))
		write("DELETE", "/api/v1/contacts/"+c, "", 204, "contact.delete")
		write("POST", "/api/v1/suppressions", `{"entries":[{"value":"zed@example.com","reason":"unsubscribe"}]}`, 201, "suppression.add")
		write("DELETE", "/api/v1/lists/"+list, "", 204, "list.delete")
		if code, body := e.postForm(t, "/stop/default", url.Values{"value": {"stopper@example.com"}}, "ua"); code != 200 {
			t.Fatalf("stop form: %d %s", code, body)
		}

		if code, body := apiCall(t, "GET", e.ts.URL+"/api/v1/audit", tokens[store.RoleMarketer], "", ""); code != 403 {
			t.Fatalf("marketer reads the audit trail: %d %s", code, body)
		}
		code, body := apiCall(t, "GET", e.ts.URL+"/api/v1/audit?limit=20", tokens[store.RoleCompliance], "", "")
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
		lc := byAction["list.create"].Actor
		if lc.Kind != audit.Token || lc.ID != strconv.FormatInt(ids[store.RoleMarketer], 10) || lc.Name != "marketer-token" ||
			lc.Role != store.RoleMarketer || lc.RequestID == "" {
			t.Errorf("list.create actor = %+v; want the marketer token with a request id", lc)
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

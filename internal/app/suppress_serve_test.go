package app

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
)

// TestServeSuppressions drives the do-not-contact API through the real server: add, check,
// role rules on removal, the agent and CRM endpoints, the public stop form and bad input.
func TestServeSuppressions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		ctx := context.Background()
		tok := func(role string) string {
			_, secret, err := a.st.CreateTokenWithRole(ctx, a.Workspace.ID, role+"-token", role)
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		admin, marketer, agent := tok(store.RoleAdmin), tok(store.RoleMarketer), tok(store.RoleAgent)
		base, stop := startServer(t, a)
		defer stop()
		call := func(method, path, token, body string, want int) string {
			t.Helper()
			code, out := apiCall(t, method, base+path, token, "application/json", body)
			if code != want {
				t.Fatalf("%s %s: %d, want %d\n%s", method, path, code, want, out)
			}
			return out
		}
		out := call("POST", "/api/v1/suppressions", marketer,
			`{"entries":[{"value":"Ann.Lee+x@gmail.com","reason":"unsubscribe"},{"value":"+1 212 555 0100","reason":"manual","scope":"sms"}]}`, 201)
		if !strings.Contains(out, `"duplicates":0`) || strings.Count(out, `"id":`) != 2 {
			t.Fatalf("add: %s", out)
		}
		if out := call("GET", "/api/v1/check?email="+url.QueryEscape("annlee@googlemail.com")+"&channel=email", agent, "", 200); !strings.Contains(out, `"contactable":false`) {
			t.Fatalf("check: %s", out)
		}
		if out := call("GET", "/api/v1/check?phone=%2B12125550100&channel=phone", agent, "", 200); !strings.Contains(out, `"contactable":true`) {
			t.Fatalf("sms-only entry blocks calls: %s", out)
		}
		if out := call("GET", "/api/v1/check?email=annlee%40gmail.com&explain=true", agent, "", 200); !strings.Contains(out, `"reason":"unsubscribe"`) || !strings.Contains(out, `"entries":[`) {
			t.Fatalf("explain: %s", out)
		}
		for _, bad := range []string{"/api/v1/check", "/api/v1/check?phone=12&email=a@b.example", "/api/v1/check?phone=555-0100",
			"/api/v1/check?email=a%0D%0A@b.example", "/api/v1/check?email=a@b.example&channel=fax"} {
			call("GET", bad, agent, "", 422)
		}
		for _, body := range []string{`{"entries":[]}`, `{"entries":[{"value":"x@y.example","reason":"manual","scope":"fax"}]}`,
			`{"entries":[{"value":"x@y.example","reason":"because"}]}`, `{"entries":[{"value":"+1 212 555 0100","reason":"manual","scope":"email"}]}`} {
			call("POST", "/api/v1/suppressions", admin, body, 422)
		}
		// Roles: a marketer cannot lift an unsubscribe; an agent cannot list or remove.
		list := call("GET", "/api/v1/suppressions?reason=unsubscribe", admin, "", 200)
		if !strings.Contains(list, `"id":1,`) {
			t.Fatalf("list: %s", list)
		}
		call("DELETE", "/api/v1/suppressions/1", marketer, `{"why":"she is a customer"}`, 403)
		call("DELETE", "/api/v1/suppressions/1", admin, `{"why":""}`, 422)
		call("GET", "/api/v1/suppressions", agent, "", 403)
		call("DELETE", "/api/v1/suppressions/1", agent, `{"why":"x"}`, 403)
		call("DELETE", "/api/v1/suppressions/2", marketer, `{"why":"entered by mistake"}`, 200)
		call("DELETE", "/api/v1/suppressions/2", admin, `{"why":"again"}`, 404)
		// The agent endpoint: a do-not-call request taken on a call.
		call("POST", "/api/v1/agent/dnc", agent, `{"phone":"+1 (646) 555-0199","agent":"maria","note":"call 8812"}`, 201)
		if out := call("GET", "/api/v1/check?value=%2B16465550199&channel=phone", agent, "", 200); !strings.Contains(out, `"contactable":false`) {
			t.Fatalf("agent request not in force: %s", out)
		}
		call("POST", "/api/v1/agent/dnc", agent, `{"phone":"646 555","agent":"maria"}`, 422)
		// CRM flags: set, then cleared — the unsubscribe for the same address stays.
		out = call("POST", "/api/v1/crm/flags", agent, `{"flags":[{"value":"ann.lee@gmail.com","do_not_contact":true},{"value":"bo@example.com","do_not_contact":true}]}`, 200)
		if !strings.Contains(out, `"added":2,"duplicates":0`) { // ann's CRM flag is an entry beside her unsubscribe
			t.Fatalf("crm set: %s", out)
		}
		out = call("POST", "/api/v1/crm/flags", agent, `{"flags":[{"value":"ann.lee@gmail.com","do_not_contact":false},{"value":"bo@example.com","do_not_contact":false}]}`, 200)
		if !strings.Contains(out, `"removed":2`) {
			t.Fatalf("crm clear: %s", out)
		}
		if out := call("GET", "/api/v1/check?email=ann.lee%40gmail.com", agent, "", 200); !strings.Contains(out, `"contactable":false`) {
			t.Fatalf("clearing the CRM flag lifted the unsubscribe: %s", out)
		}
		if out := call("GET", "/api/v1/check?email=bo%40example.com", agent, "", 200); !strings.Contains(out, `"contactable":true`) {
			t.Fatalf("CRM flag not cleared: %s", out)
		}
		// The public stop form: no token; same answer for any identifier; bad input re-shown.
		for _, tc := range []struct {
			value string
			want  int
			text  string
		}{{"someone@example.net", 200, "takes effect now"}, {"not-a-thing", 422, "could not read"}} {
			resp, err := http.PostForm(base+"/stop/default", url.Values{"value": {tc.value}})
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(t, resp)
			if resp.StatusCode != tc.want || !strings.Contains(body, tc.text) {
				t.Fatalf("stop %q: %d %s", tc.value, resp.StatusCode, body)
			}
		}
		// An unknown workspace answers like a known one (the form does not tell which exist)
		// and records nothing.
		if resp, _ := http.PostForm(base+"/stop/nosuch", url.Values{"value": {"a@b.example"}}); resp.StatusCode != 200 {
			t.Fatalf("stop on an unknown workspace: %d", resp.StatusCode)
		}
		if _, err := a.st.WorkspaceByName(context.Background(), "nosuch"); err == nil {
			t.Fatal("the stop form created a workspace")
		}
		if out := call("GET", "/api/v1/check?email=someone%40example.net&channel=sms", agent, "", 200); !strings.Contains(out, `"contactable":false`) {
			t.Fatalf("public stop not in force: %s", out)
		}
		// The metrics name workspaces and list sizes: an admin token reads them, no one else.
		if resp, err := http.Get(base + "/metrics"); err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("/metrics without a token: %v %v", resp, err)
		}
		call("GET", "/metrics", agent, "", 403)
		metrics := call("GET", "/metrics", admin, "", 200)
		for _, want := range []string{`clearlist_checks_total{result="blocked"}`, `clearlist_checks_total{result="contactable"}`,
			`clearlist_suppression_identifiers{workspace_id="1"}`, `clearlist_suppression_change_seq{workspace_id="1"}`} {
			if !strings.Contains(metrics, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestServeSeesOtherProcesses: an entry recorded by another process (the CLI beside a running
// server) is answered by the server's check API within its catch-up interval.
func TestServeSeesOtherProcesses(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a, cli := openApp(t, dsn), openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		_, token, err := a.st.CreateTokenWithRole(context.Background(), a.Workspace.ID, "dialer", store.RoleAgent)
		if err != nil {
			t.Fatal(err)
		}
		base, stop := startServer(t, a)
		defer stop()
		url := base + "/api/v1/check?phone=%2B442079460123&channel=phone"
		if code, out := apiCall(t, "GET", url, token, "", ""); code != 200 || !strings.Contains(out, `"contactable":true`) {
			t.Fatalf("before: %d %s", code, out)
		}
		suppressOne(t, cli, cli.Workspace.ID, suppress.Intake{Value: "+44 20 7946 0123", Reason: "request-letter"})
		deadline := time.Now().Add(10 * syncInterval)
		for {
			_, out := apiCall(t, "GET", url, token, "", "")
			if strings.Contains(out, `"contactable":false`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the server still answers contactable %s after the other process's entry: %s", 10*syncInterval, out)
			}
			time.Sleep(syncInterval / 5)
		}
	})
}

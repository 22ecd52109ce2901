package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/user"
	wss "github.com/clearlist/clearlist/internal/workspace"
)

// TestAdminAPIWorkspaces on both engines: a signed-in person gets the workspaces they work in
// with their role in each (an owner the same list the workspaces page shows), a token its
// own workspace only, never another controller's.
func TestAdminAPIWorkspaces(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
		owner, err := e.users.Members(ctx, e.ws)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(owner, func(u user.User) bool { return u.Email == "owner@example.com" })
		if _, err := wss.New(st).CreateOwned(ctx, "second", owner[i].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := wss.New(st).Create(ctx, "someone-else"); err != nil {
			t.Fatal(err)
		}
		type item struct {
			ID   int64  `json:"workspace_id"`
			Name string `json:"workspace"`
			Role string `json:"role"`
		}
		read := func(r response) []item {
			t.Helper()
			want(t, r, 200)
			var out struct{ Items []item }
			if err := json.Unmarshal(r.body, &out); err != nil {
				t.Fatalf("%v: %s", err, r.body)
			}
			slices.SortFunc(out.Items, func(a, b item) int { return strings.Compare(a.Name, b.Name) })
			return out.Items
		}
		id := e.login("owner@example.com", "")
		got := read(e.sessionJSON("GET", "/api/v1/workspaces", id, ""))
		if len(got) != 2 || got[0].Name != "default" || got[0].Role != "owner" || got[1].Name != "second" || got[1].Role != "owner" {
			t.Fatalf("the owner's workspaces: %+v", got)
		}
		_, page := e.get("/ui/settings/workspaces", id)
		for _, w := range got {
			if !strings.Contains(page, "<td>"+w.Name+"</td>") {
				t.Errorf("the workspaces page does not show %s, which the API lists", w.Name)
			}
		}
		if strings.Contains(page, "someone-else") {
			t.Error("the workspaces page shows another controller's workspace")
		}
		_, secret := e.roleToken(access.RoleAdmin)
		if got := read(e.doAs(secret, "GET", "/api/v1/workspaces", nil, "")); len(got) != 1 || got[0].ID != e.ws || got[0].Role != "admin" {
			t.Fatalf("a token's workspaces: %+v", got)
		}
		id = e.login("admin@example.com", "")
		if got := read(e.sessionJSON("GET", "/api/v1/workspaces", id, "")); len(got) != 1 || got[0].Name != "default" || got[0].Role != "admin" {
			t.Fatalf("an admin's workspaces: %+v", got)
		}
		_, secret = e.roleToken(access.RoleMarketer)
		want(t, e.doAs(secret, "GET", "/api/v1/workspaces", nil, ""), 403)
	})
}

// TestAdminAPIWebhookDeliveries on both engines: a webhook's delivery log a page at a time,
// newest first, with each delivery's state, attempts and last answer, never the signing
// secret nor the event's body; another workspace's webhook is not found; the UI's delivery
// log shows the same deliveries.
func TestAdminAPIWebhookDeliveries(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		ctx := t.Context()
		h, err := st.CreateWebhook(ctx, e.ws, "http://127.0.0.1:1/hook")
		if err != nil {
			t.Fatal(err)
		}
		at := time.Now().UTC().Add(-time.Hour)
		for _, v := range []string{"a@example.com", "b@example.com", "c@example.com"} {
			sum := sha256.Sum256([]byte(v))
			if _, _, err := st.AddSuppressions(ctx, e.ws, []store.Suppression{{Kind: "email", Value: v, Hash: sum[:], Reason: "manual",
				ChannelIn: "email", RecordedBy: "test", ReceivedAt: at, Deadline: at.Add(48 * time.Hour), DeadlineRule: "dl-test"}}, ""); err != nil {
				t.Fatal(err)
			}
		}
		ds, _, err := st.ClaimDeliveries(ctx, time.Now(), time.Minute, 10)
		if err != nil || len(ds) != 3 {
			t.Fatalf("claim = %+v, %v", ds, err)
		}
		if err := st.RecordDelivery(ctx, ds[0].ID, 410, "gone", false, time.Time{}); err != nil { // given up
			t.Fatal(err)
		}
		if err := st.RecordDelivery(ctx, ds[1].ID, 200, "", true, time.Time{}); err != nil {
			t.Fatal(err)
		}
		_, secret := e.roleToken(access.RoleAdmin)
		type item struct {
			ID          int64      `json:"id"`
			Event       string     `json:"event"`
			Attempts    int        `json:"attempts"`
			State       string     `json:"state"`
			NextAt      *time.Time `json:"next_at"`
			DeliveredAt *time.Time `json:"delivered_at"`
			FailedAt    *time.Time `json:"failed_at"`
			LastStatus  int        `json:"last_status"`
			LastError   string     `json:"last_error"`
		}
		type page struct {
			Webhook struct {
				ID  int64  `json:"id"`
				URL string `json:"url"`
			} `json:"webhook"`
			Items      []item `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		get := func(path string) page {
			t.Helper()
			r := e.doAs(secret, "GET", path, nil, "")
			want(t, r, 200)
			for _, leak := range []string{hex.EncodeToString(h.Secret), `"body"`, "a@example.com"} {
				if strings.Contains(string(r.body), leak) {
					t.Fatalf("the delivery log shows %s:\n%s", leak, r.body)
				}
			}
			var p page
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatalf("%v: %s", err, r.body)
			}
			return p
		}
		base := fmt.Sprintf("/api/v1/webhooks/%d/deliveries", h.ID)
		p1 := get(base + "?limit=2")
		if p1.Webhook.ID != h.ID || p1.Webhook.URL != h.URL || len(p1.Items) != 2 || p1.NextCursor == "" {
			t.Fatalf("first page: %+v", p1)
		}
		pending, delivered := p1.Items[0], p1.Items[1]
		if pending.ID != ds[2].ID || pending.State != "pending" || pending.NextAt == nil || pending.Attempts != 0 ||
			delivered.ID != ds[1].ID || delivered.State != "delivered" || delivered.DeliveredAt == nil || delivered.LastStatus != 200 ||
			delivered.Attempts != 1 || delivered.Event != "suppression.added" {
			t.Fatalf("first page, newest first: %+v", p1.Items)
		}
		p2 := get(base + "?limit=2&cursor=" + url.QueryEscape(p1.NextCursor))
		if len(p2.Items) != 1 || p2.NextCursor != "" {
			t.Fatalf("second page: %+v", p2)
		}
		if f := p2.Items[0]; f.ID != ds[0].ID || f.State != "failed" || f.FailedAt == nil || f.LastStatus != 410 || f.LastError != "gone" || f.NextAt != nil {
			t.Fatalf("the given-up delivery: %+v", f)
		}
		if all := get(base); len(all.Items) != 3 || all.NextCursor != "" {
			t.Fatalf("one page of the default size: %+v", all)
		}
		want(t, e.doAs(secret, "GET", base+"?cursor=nonsense", nil, ""), 400)
		want(t, e.doAs(secret, "GET", "/api/v1/webhooks/999999/deliveries", nil, ""), 404)
		other, err := wss.New(st).Create(audit.WithActor(ctx, audit.Actor{Kind: audit.CLI, ID: "test"}), "other")
		if err != nil {
			t.Fatal(err)
		}
		oh, err := st.CreateWebhook(ctx, other.ID, "http://127.0.0.1:1/other")
		if err != nil {
			t.Fatal(err)
		}
		want(t, e.doAs(secret, "GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", oh.ID), nil, ""), 404)
		// The UI's delivery log is the same service call.
		code, b := e.get(idPath("/ui/settings/webhooks/", h.ID, ""), e.login("admin@example.com", ""))
		if code != 200 || !strings.Contains(b, "HTTP 410") || !strings.Contains(b, "gone") || !strings.Contains(b, "delivered ") {
			t.Fatalf("the UI's delivery log: %d\n%s", code, b)
		}
		if code, _ := e.get(idPath("/ui/settings/webhooks/", oh.ID, ""), e.login("admin@example.com", "")); code != 404 {
			t.Fatalf("the UI shows another workspace's webhook log: %d", code)
		}
		// The UI pages too: webhookLogLimit a page, the oldest on the next.
		for i := range webhookLogLimit {
			v := fmt.Sprintf("more%d@example.com", i)
			sum := sha256.Sum256([]byte(v))
			if _, _, err := st.AddSuppressions(ctx, e.ws, []store.Suppression{{Kind: "email", Value: v, Hash: sum[:], Reason: "manual",
				ChannelIn: "email", RecordedBy: "test", ReceivedAt: at, Deadline: at.Add(48 * time.Hour), DeadlineRule: "dl-test"}}, ""); err != nil {
				t.Fatal(err)
			}
		}
		row := func(id int64) string { return fmt.Sprintf(`<td class="num">%d</td>`, id) }
		sess := e.login("admin@example.com", "")
		_, first := e.get(idPath("/ui/settings/webhooks/", h.ID, ""), sess)
		m := regexp.MustCompile(`href="(/ui/settings/webhooks/\d+\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(first)
		if m == nil || strings.Contains(first, row(ds[0].ID)) {
			t.Fatalf("the first page of %d deliveries has no link to the older ones, or shows the oldest:\n%s", webhookLogLimit+3, first)
		}
		code, older := e.get(html.UnescapeString(m[1]), sess)
		if code != 200 || !strings.Contains(older, row(ds[0].ID)) || !strings.Contains(older, row(ds[2].ID)) ||
			strings.Contains(older, `rel="next"`) || !strings.Contains(older, "Back to the newest") {
			t.Fatalf("the older page: %d\n%s", code, older)
		}
		if code, _ := e.get(idPath("/ui/settings/webhooks/", h.ID, "?cursor=nonsense"), sess); code != 400 {
			t.Fatalf("a bad cursor: %d", code)
		}
	})
}

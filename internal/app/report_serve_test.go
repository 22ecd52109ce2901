package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/track"
)

// TestReportAndTransactionalAPI: through the real server, a started campaign's report, its
// breakdowns and its buckets (paged and exported), opened refused without individual
// tracking; and a transactional message refused without a sender, sent with one, logged.
func TestReportAndTransactionalAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		a.Transactional = a.newTransactional() // its messages go to this data folder's outbox
		tok := roleTokens(t, a)["admin"]
		ws := a.Workspace.ID
		src, err := a.st.CreateSource(ctx, contact.Source{WorkspaceID: ws, Type: "api"})
		if err != nil {
			t.Fatal(err)
		}
		l, err := a.st.CreateList(ctx, contact.List{WorkspaceID: ws, Name: "news"})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, addr := range []string{"ann@example.com", "bob@example.org", "cy@example.org"} {
			c, err := a.st.CreateContact(ctx, contact.Contact{WorkspaceID: ws, Email: addr, EmailCanonical: addr, Status: contact.StatusActive,
				FirstSourceID: src.ID}, []int64{l.ID})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
			if addr == "cy@example.org" {
				continue // no consent: excluded
			}
			if _, err := a.st.AppendConsent(ctx, consent.Entry{WorkspaceID: ws, ContactID: c.ID, Purpose: "newsletter", Channel: consent.Email,
				Action: consent.Granted, Basis: consent.BasisConsent, Actor: "test",
				Evidence: consent.Evidence{Timestamp: time.Now().Add(-time.Hour), Wording: "Yes please"}}); err != nil {
				t.Fatal(err)
			}
		}
		// Held at a local time hours away, so the server's workers leave it queued.
		hold := time.Now().UTC().Add(-2 * time.Hour).Format("15:04")
		footerSettings(t, a) // a start needs the sender identity and postal address
		c, err := a.Campaigns.Create(ctx, campaign.Campaign{WorkspaceID: ws, Name: "spring", Purpose: "newsletter", Lists: []int64{l.ID},
			FromAddress: "news@example.com", LocalTime: hold, Content: campaign.Content{Subject: "Hi", Text: "Hello"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Campaigns.Start(ctx, ws, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := a.st.RecordEvent(ctx, track.Event{Workspace: ws, Campaign: c.ID, Contact: ids[0], Kind: track.EventOpen, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		base, stop := startServer(t, a)
		defer stop()
		get := func(path string, want int) string {
			t.Helper()
			code, out := apiCall(t, "GET", base+path, tok, "", "")
			if code != want {
				t.Fatalf("GET %s: %d %s, want %d", path, code, out, want)
			}
			return out
		}
		one := "/api/v1/campaigns/" + itoa64(c.ID)
		var sum struct {
			Recipients, Queued, Excluded int
			Opened                       struct{ People int }
		}
		if err := json.Unmarshal([]byte(get(one+"/report", 200)), &sum); err != nil || sum.Recipients != 3 || sum.Queued != 2 ||
			sum.Excluded != 1 || sum.Opened.People != 1 {
			t.Errorf("report = %+v, %v", sum, err)
		}
		if out := get(one+"/report/domains", 200); !strings.Contains(out, `"domain":"example.org"`) {
			t.Errorf("domains = %s", out)
		}
		get(one+"/report/hours", 200)
		var page struct {
			Items []struct {
				ContactID int64 `json:"contact_id"`
			}
			NextAfter int64 `json:"next_after"`
		}
		if err := json.Unmarshal([]byte(get(one+"/recipients?bucket=queued&limit=1", 200)), &page); err != nil ||
			len(page.Items) != 1 || page.NextAfter != ids[0] {
			t.Errorf("first page = %+v, %v", page, err)
		}
		if out := get(one+"/recipients?bucket=opened", 422); !strings.Contains(out, "tracking.individual") {
			t.Errorf("opened without individual tracking: %s", out)
		}
		recs, err := csv.NewReader(strings.NewReader(get(one+"/recipients/export?bucket=excluded", 200))).ReadAll()
		if err != nil || len(recs) != 2 || recs[1][1] != "cy@example.org" {
			t.Errorf("excluded csv = %v, %v", recs, err)
		}
		get("/api/v1/campaigns/999999/report", 404)

		send := `{"to":"ann@example.com","purpose":"security-notices","subject":"New sign-in","text":"Was it you, {{.Contact.name}}?","data":{"name":"Ann"}}`
		if code, out := apiCall(t, "POST", base+"/api/v1/transactional", tok, "application/json", send); code != 422 ||
			!strings.Contains(out, "transactional.from") {
			t.Errorf("without a sender: %d %s", code, out)
		}
		if err := a.Workspaces.SetSetting(ctx, ws, "transactional.from", "Acme <security@example.com>"); err != nil {
			t.Fatal(err)
		}
		if code, out := apiCall(t, "POST", base+"/api/v1/transactional", tok, "application/json",
			strings.Replace(send, "security-notices", "newsletter", 1)); code != 422 {
			t.Errorf("a marketing purpose: %d %s", code, out)
		}
		code, out := apiCall(t, "POST", base+"/api/v1/transactional", tok, "application/json", send)
		if code != 200 || !strings.Contains(out, `"state":"sent"`) {
			t.Fatalf("send: %d %s", code, out)
		}
		if out := get("/api/v1/transactional", 200); !strings.Contains(out, `"to":"ann@example.com"`) {
			t.Errorf("log = %s", out)
		}
	})
}

package app

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver/delivertest"
	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/store"
)

var trackedLinkRE = regexp.MustCompile(`https://lists\.example\.test(/c/[A-Za-z0-9_-]+)`)

// TestCampaignABEndToEnd: on both engines, with aggregate tracking only (events name
// nobody): an A/B test of the subject on half of 20 recipients goes out through serve's
// River workers to a go-smtp relay — each recipient of the sample the subject of their
// variant, the held half nothing — and the idle workers queue one campaign_ab_decide job
// for the wait's end; a person clicks the tracked link of a B message and a scanner (HEAD)
// one of an A message; the job, run early (jobs retry), decides for B from the events'
// signed variant, records it, and the rest get B's subject; everyone gets one message with
// "Manage your preferences"; the API's campaign and report show the decision and the
// figures per variant.
func TestCampaignABEndToEnd(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		ws := a.Workspace.ID
		a.Cfg.DataDir = t.TempDir()
		sink := &delivertest.Sink{}
		relay, _ := delivertest.Start(t, sink, "none")
		a.Cfg.SMTPAddr, a.Cfg.SMTPTLS, a.Cfg.PublicURL = relay, "none", testPublicURL
		authSender(t, a, "sender.test", true)
		if err := a.Workspaces.SetSetting(ctx, ws, "tracking.clicks", "true"); err != nil {
			t.Fatal(err)
		}
		var csv strings.Builder
		csv.WriteString("email,first_name\n")
		for i := range 20 {
			fmt.Fprintf(&csv, "p%02d@mail.test,P%02d\n", i, i)
		}
		declare(t, a, "first_name")
		importFile(t, a, writeFile(t, "people.csv", []byte(csv.String())), func(r *contact.ImportRequest) { r.List = "news" })
		for i := range 20 {
			c, err := a.st.ContactByEmail(ctx, ws, fmt.Sprintf("p%02d@mail.test", i))
			if err != nil {
				t.Fatal(err)
			}
			ledger(t, a, c, "product-updates", consent.Email, "gc")
		}
		list, err := a.Contacts.ListByName(ctx, ws, "news")
		if err != nil {
			t.Fatal(err)
		}
		c, err := a.Campaigns.Create(ctx, campaign.Campaign{WorkspaceID: ws, Name: "ab", Purpose: "product-updates",
			Lists: []int64{list.ID}, FromName: "Sender News", FromAddress: "news@sender.test", Workers: 2,
			AB: &campaign.ABTest{Variants: []campaign.Variant{{Subject: "B: {{.Contact.first_name}}, look"}}, SamplePercent: 50,
				Metric: campaign.MetricClicks, Wait: "1h"},
			Content: campaign.Content{Subject: "A: hello {{.Contact.first_name}}",
				HTML: `<html><body><p>Hi {{.Contact.first_name}}</p><p><a href="https://shop.example.com/x">Shop</a></p></body></html>`}})
		if err != nil {
			t.Fatal(err)
		}
		base, stop := startServer(t, a)
		defer stop()
		waitFor(t, func() bool {
			a.queue.mu.Lock()
			defer a.queue.mu.Unlock()
			return a.queue.serve != nil
		})
		jc, err := a.queue.client(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Campaigns.Start(ctx, ws, c.ID); err != nil {
			t.Fatal(err)
		}
		var decide jobs.Job
		waitFor(t, func() bool {
			js, err := jc.List(ctx, jobs.Filter{Kind: jobs.KindCampaignABDecide})
			if err != nil || len(js) == 0 {
				return false
			}
			decide = js[0]
			return true
		})
		if decide.State != "scheduled" || decide.ScheduledAt.Before(time.Now().Add(50*time.Minute)) {
			t.Fatalf("decision job %+v: want scheduled about an hour from now", decide)
		}
		sample := sink.Messages()
		per := map[byte]int{}
		var bLink, aLink string
		for _, m := range sample {
			r := parseReceived(t, m)
			s := r.hdr.Get("Subject")
			per[s[0]]++
			if l := trackedLinkRE.FindStringSubmatch(r.html); l != nil {
				if s[0] == 'B' {
					bLink = l[1]
				} else {
					aLink = l[1]
				}
			}
		}
		if len(sample) != 10 || per['A'] != 5 || per['B'] != 5 || bLink == "" || aLink == "" {
			t.Fatalf("the sample: %d messages, per variant %v; want 10, 5 and 5, with tracked links", len(sample), per)
		}
		counts, _ := a.Campaigns.Report(ctx, ws, c.ID)
		if counts.ByState[campaign.Held] != 10 {
			t.Fatalf("held = %d, want 10: %+v", counts.ByState[campaign.Held], counts.ByState)
		}
		for method, link := range map[string]string{http.MethodGet: bLink, http.MethodHead: aLink} {
			req, _ := http.NewRequest(method, base+link, nil)
			req.Header.Set("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15")
			res, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusTemporaryRedirect {
				t.Fatalf("%s %s: %d", method, link, res.StatusCode)
			}
		}
		if _, err := jc.Retry(ctx, decide.ID); err != nil { // the wait cut short: the job runs now
			t.Fatal(err)
		}
		waitFinished(t, a, c.ID, time.Minute)
		all := sink.Messages()
		// The footer's preferences link opens the recipient's unsubscribe page with its
		// choices; a GET changes nothing.
		first := parseReceived(t, all[0])
		pref := regexp.MustCompile(regexp.QuoteMeta(testPublicURL) + `(/u/[A-Za-z0-9_-]+\?choose=1)`).FindStringSubmatch(first.html)
		if pref == nil {
			t.Fatalf("no preferences link in the HTML part:\n%s", first.html)
		}
		if res, page := get(t, base+pref[1]); res.StatusCode != http.StatusOK || !strings.Contains(page, "Unsubscribe from all our e-mails") ||
			!strings.Contains(page, "product updates") {
			t.Fatalf("preferences page: %d\n%s", res.StatusCode, page)
		}
		checkEligible(t, a, first.to, "product-updates", true)
		seen := map[string]int{}
		per = map[byte]int{}
		for _, m := range all {
			r := parseReceived(t, m)
			seen[r.to]++
			per[r.hdr.Get("Subject")[0]]++
			if !strings.Contains(r.text, "Manage your preferences") || !strings.Contains(r.text, "?choose=1") {
				t.Errorf("%s: no preferences link in the footer:\n%s", r.to, r.text)
			}
		}
		if len(all) != 20 || len(seen) != 20 || per['A'] != 5 || per['B'] != 15 {
			t.Fatalf("%d messages to %d people, per variant %v; want 20 to 20, A 5 and B 15", len(all), len(seen), per)
		}
		got, err := a.Campaigns.Campaign(ctx, ws, c.ID)
		if err != nil || got.ABDecision == nil || got.ABDecision.Winner != "B" || got.ABDecision.Released != 10 ||
			got.ABDecision.Figures[1].UniqueClicks != 1 || got.ABDecision.Figures[0].UniqueClicks != 0 {
			t.Fatalf("decision = %+v, %v", got.ABDecision, err)
		}
		_, token, err := a.st.CreateTokenWithRole(ctx, ws, "ab", store.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		code, body := apiCall(t, "GET", fmt.Sprintf("%s/api/v1/campaigns/%d", base, c.ID), token, "", "")
		if code != 200 || !strings.Contains(body, `"ab_decision":{"winner":"B"`) {
			t.Fatalf("API campaign: %d %s", code, body)
		}
		code, body = apiCall(t, "GET", fmt.Sprintf("%s/api/v1/campaigns/%d/report", base, c.ID), token, "", "")
		if code != 200 || !strings.Contains(body, `"variants":[{"variant":"A","recipients":5,"sent":5`) ||
			!strings.Contains(body, `"machine_opens":0,"clicks":1,"unique_clicks":1`) {
			t.Fatalf("API report: %d %s", code, body)
		}
		js, _ := jc.List(ctx, jobs.Filter{Kind: jobs.KindCampaignABDecide})
		if len(js) != 1 || js[0].State != "completed" {
			t.Fatalf("decision jobs %+v: want one, completed", js)
		}
	})
}

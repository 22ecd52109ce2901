package app

import (
	"context"
	"crypto/sha256"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/deliver/delivertest"
	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/transactional"
)

// TestBounceHygiene: through the app's wiring (the do-not-contact list, the campaign
// guard), hand-built events for the recipients of a campaign in its send log: a hard bounce
// makes the contact bounced and puts it on the list; "please unsubscribe me" in each
// language puts the address on the list (request-email); a replayed provider event is a
// duplicate; one complaint among GuardMinSample+ deliveries is over the 0.3% complaint rate
// and pauses the campaign, saying why.
func TestBounceHygiene(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.Job, Name: "bounce"})
		s := storetest.SeedSentCampaign(t, a.st, "hygiene", campaign.GuardMinSample+50)
		contactable := func(addr string) bool {
			t.Helper()
			ans, err := a.Suppressions.CheckSuppressed(ctx, s.WS, "email", addr, "email", "newsletter")
			if err != nil {
				t.Fatal(err)
			}
			return ans.Contactable
		}
		record := func(ev bounce.Event) bounce.EventResult {
			t.Helper()
			rs, err := a.Bounces.Record(ctx, s.WS, []bounce.Event{ev})
			if err != nil {
				t.Fatal(err)
			}
			return rs[0]
		}
		hard := bounce.Event{Kind: bounce.KindBounced, Status: "5.1.1", ReplyCode: "550", Via: bounce.ViaMailgun, ExternalID: "mg-1",
			CampaignID: s.Campaign, ContactID: s.Contacts[0], Address: s.Addresses[0]}
		if r := record(hard); r.Action != "undeliverable" || !r.Hard {
			t.Fatalf("hard bounce = %+v", r)
		}
		if c, _ := a.st.Contact(ctx, s.WS, s.Contacts[0]); c.Status != contact.StatusBounced || contactable(s.Addresses[0]) {
			t.Fatalf("after a hard bounce: status %s, contactable %v", c.Status, contactable(s.Addresses[0]))
		}
		if r := record(hard); r.Action != "duplicate" {
			t.Fatalf("replayed event = %+v", r)
		}
		i := 1
		for lang, text := range map[string]string{"en": "Please unsubscribe me", "fr": "Merci de me désabonner", "de": "Bitte melden Sie mich ab",
			"pl": "Proszę mnie wypisać", "zh": "请给我退订", "ar": "من فضلك إلغاء الاشتراك", "ru": "Пожалуйста, отпишите меня"} {
			r := record(bounce.Event{Kind: bounce.KindReplied, Via: bounce.ViaSMTP, Text: text, CampaignID: s.Campaign, ContactID: s.Contacts[i]})
			on, _ := a.Suppressions.SuppressionsFor(ctx, s.WS, "email", s.Addresses[i])
			if r.Action != "suppressed" || len(on) != 1 || on[0].Reason != "request-email" || contactable(s.Addresses[i]) {
				t.Errorf("%s reply: %+v, entries %+v", lang, r, on)
			}
			i++
		}
		if c, _ := a.Campaigns.Campaign(ctx, s.WS, s.Campaign); c.State != campaign.Sending {
			t.Fatalf("paused before any complaint: %s (%s)", c.State, c.PauseReason)
		}
		r := record(bounce.Event{Kind: bounce.KindComplained, FeedbackType: "abuse", Via: bounce.ViaSES, ExternalID: "ses-c1",
			MessageID: "<m20@hygiene>", Address: "whoever@example.net"})
		if r.Action != "suppressed" || r.CampaignID != s.Campaign {
			t.Fatalf("complaint = %+v", r)
		}
		c, err := a.Campaigns.Campaign(ctx, s.WS, s.Campaign)
		if err != nil || c.State != campaign.Paused || !strings.Contains(c.PauseReason, "complaint rate") {
			t.Fatalf("after a complaint among %d deliveries: %s (%q), %v", len(s.Contacts), c.State, c.PauseReason, err)
		}
	})
}

// TestTransactionalBounce: a transactional message carries a VERP return path naming it
// (campaign 0, its id), and its hard bounce puts the address on the list.
func TestTransactionalBounce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		sink := &delivertest.Sink{}
		relay, _ := delivertest.Start(t, sink, "none")
		a.Cfg.SMTPAddr, a.Cfg.SMTPTLS = relay, "none"
		a.Transactional = a.newTransactional()
		ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.Job, Name: "bounce"})
		ws := a.Workspace.ID
		if err := a.Workspaces.SetSetting(ctx, ws, "transactional.from", "Acme <security@example.com>"); err != nil {
			t.Fatal(err)
		}
		sent, err := a.Transactional.Send(ctx, transactional.Request{WorkspaceID: ws, To: "tx@example.net", Purpose: "security-notices",
			Content: campaign.Content{Subject: "New sign-in", Text: "Was it you?"}})
		if err != nil {
			t.Fatal(err)
		}
		got := sink.Messages()
		if len(got) != 1 {
			t.Fatalf("relay got %d messages", len(got))
		}
		key, err := a.st.ExistingSigningKey(ctx, ws, bounce.VERPKeyName)
		if err != nil {
			t.Fatal(err)
		}
		w, cid, id, err := deliver.VERPDecode(key, got[0].From)
		if err != nil || w != ws || cid != 0 || id != sent.ID {
			t.Fatalf("envelope sender %q decodes to %d/%d/%d (%v), want %d/0/%d", got[0].From, w, cid, id, err, ws, sent.ID)
		}
		rs, err := a.Bounces.Record(ctx, ws, []bounce.Event{{Kind: bounce.KindBounced, Status: "5.1.1", TransactionalID: id, Address: "tx@example.net"}})
		if err != nil || rs[0].Action != "undeliverable" {
			t.Fatalf("transactional bounce = %+v, %v", rs, err)
		}
		if ans, _ := a.Suppressions.CheckSuppressed(ctx, ws, "email", "tx@example.net", "email", "security-notices"); ans.Contactable {
			t.Fatal("contactable after its transactional message bounced hard")
		}
	})
}

// TestBouncePruneJob: the daily bounce_prune job deletes the kept messages older than the
// workspace's bounce.keep_days, and the deletion is recorded by the job.
func TestBouncePruneJob(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.CLI, ID: "test"})
		a := openApp(t, dsn)
		ws := a.Workspace.ID
		if err := a.Workspaces.SetSetting(ctx, ws, bounce.SettingKeepDays, "0"); err == nil {
			t.Fatal("bounce.keep_days 0 accepted")
		}
		if err := a.Workspaces.SetSetting(ctx, ws, bounce.SettingKeepDays, "10"); err != nil {
			t.Fatal(err)
		}
		for i, w := range []int64{ws, 0} {
			raw := []byte("message " + itoa64(int64(i)))
			sum := sha256.Sum256(raw)
			id, _, err := a.st.SaveInbound(ctx, bounce.Inbound{ReceivedAt: time.Now(), Via: bounce.ViaSMTP, SHA256: sum[:], Raw: raw})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.st.FinishInbound(ctx, id, w, "bounce", "test"); err != nil {
				t.Fatal(err)
			}
		}
		// 11 days on: past the workspace's 10 days, within the default 30 of the unknown one's.
		a.JobOptions.Now = func() time.Time { return time.Now().Add(11 * 24 * time.Hour) }
		jc := startJobs(t, a)
		done := waitJobs(t, jc, jobs.KindBouncePrune, "completed", 1)
		if left, err := a.st.InboundWorkspaces(ctx); err != nil || len(left) != 1 || left[0] != 0 {
			t.Fatalf("workspaces with kept messages after the prune: %v, %v", left, err)
		}
		es, err := a.Audit.List(ctx, ws, audit.Filter{Entity: "inbound_message"})
		want := audit.Actor{Kind: audit.Job, ID: strconv.FormatInt(done[0].ID, 10), Name: jobs.KindBouncePrune}
		if err != nil || len(es) != 1 || es[0].Action != "bounce.prune" || es[0].Actor != want {
			t.Fatalf("prune entries = %+v, %v; want one bounce.prune by %+v", es, err, want)
		}
	})
}

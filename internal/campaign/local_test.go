package campaign_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/eligibility"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/workspace"
)

// TestLocalTime: a campaign at 09:00 local time reaches each recipient at nine in their own
// zone — from the timezone attribute, else the country's main zone, else the workspace's
// default — and nobody before: the workers wait for the earliest.
func TestLocalTime(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, nil, nil, nil, campaign.Options{})
		e.clock.t = time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
		wss := workspace.New(st)
		if err := wss.SetSetting(ctx, e.ws, campaign.SettingTimeZone, "Europe/Berlin"); err != nil {
			t.Fatal(err)
		}
		var addr string
		e.relay, addr = startRelay(t, nil)
		e.svc = campaign.New(campaign.Deps{Store: st, Eligibility: eligibility.New(st, e.supp, wss), Screener: e.supp,
			Renderer: &campaign.BasicRenderer{}, Sender: midField{&deliver.SMTP{Addr: addr, TLS: deliver.TLSNone, HelloName: "sender.example"}},
			Settings: wss}, campaign.Options{Now: e.clock.now})
		src, _ := st.CreateSource(ctx, contact.Source{WorkspaceID: e.ws, Type: "signup-cards"})
		for _, p := range []struct {
			addr, country string
			attrs         map[string]any
		}{
			{"tokyo@example.org", "", map[string]any{"timezone": "Asia/Tokyo"}},
			{"ny@example.org", "US", nil},
			{"home@example.org", "", map[string]any{"timezone": "Nowhere/Else"}},
		} {
			c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: e.ws, Email: p.addr, EmailCanonical: p.addr, Country: p.country,
				Status: contact.StatusActive, FirstSourceID: src.ID, Attrs: p.attrs}, []int64{e.list})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.AppendConsent(ctx, consent.Entry{WorkspaceID: e.ws, ContactID: c.ID, Purpose: "newsletter",
				Channel: consent.Email, Action: consent.Granted, Basis: consent.BasisConsent, Actor: "test",
				Evidence: consent.Evidence{Timestamp: time.Now().Add(-48 * time.Hour), Wording: "Yes, send me the newsletter"}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.Create(ctx, campaign.Campaign{WorkspaceID: e.ws, Name: "bad", Purpose: "newsletter", Lists: []int64{e.list},
			FromAddress: "news@sender.example", LocalTime: "25:00", Content: campaign.Content{Subject: "Hi", Text: "Hello"}}); !errors.Is(err, campaign.ErrInvalid) {
			t.Errorf("local time 25:00: %v, want ErrInvalid", err)
		}
		c, err := e.svc.Create(ctx, campaign.Campaign{WorkspaceID: e.ws, Name: "morning", Purpose: "newsletter", Lists: []int64{e.list},
			FromAddress: "news@sender.example", LocalTime: "9:00", Content: campaign.Content{Subject: "Hi", Text: "Hello"}})
		if err != nil || c.LocalTime != "09:00" {
			t.Fatalf("create = %+v, %v", c, err)
		}
		if got, _ := e.svc.Campaign(ctx, e.ws, c.ID); got.LocalTime != "09:00" {
			t.Errorf("stored local time %q", got.LocalTime)
		}
		aud, err := e.svc.Start(ctx, e.ws, c.ID)
		if err != nil || aud.Eligible != 3 {
			t.Fatalf("start = %+v, %v", aud, err)
		}
		// Nine in New York (EST) is 14:00 UTC; in Tokyo 00:00 UTC the next day; in Berlin
		// (the workspace's default, for the unknown zone) 08:00 UTC the next day.
		steps := []struct {
			at   time.Time
			sent string
		}{
			{time.Date(2026, 12, 10, 14, 0, 0, 0, time.UTC), "ny@example.org"},
			{time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC), "tokyo@example.org"},
			{time.Date(2026, 12, 11, 8, 0, 0, 0, time.UTC), "home@example.org"},
		}
		for _, step := range steps {
			res, err := e.svc.Send(ctx, e.ws, c.ID, "proc-1")
			if err != nil || res.Sent != 0 || !res.RetryAt.Equal(step.at) {
				t.Fatalf("before %s: %+v, %v; want nothing sent and a retry at %s", step.at, res, err, step.at)
			}
			e.clock.t = step.at
			if res, err := e.svc.Send(ctx, e.ws, c.ID, "proc-1"); err != nil || res.Sent != 1 || e.relay.count(step.sent) != 1 {
				ds, _ := e.svc.Deliveries(ctx, e.ws, c.ID, campaign.DeliveryFilter{})
				t.Fatalf("at %s: %+v, %v; want %s sent; deliveries %+v", step.at, res, err, step.sent, ds)
			}
		}
	})
}

// midField moves the Message-ID the send pipeline of this branch's base puts in Headers into
// the message's field, where deliver wants it (main's send.go does so itself).
type midField struct{ deliver.Sender }

func (m midField) Send(ctx context.Context, msg deliver.Message) error {
	if v, ok := msg.Headers["Message-ID"]; ok {
		msg.MessageID = strings.Trim(v, "<>")
		delete(msg.Headers, "Message-ID")
	}
	return m.Sender.Send(ctx, msg)
}

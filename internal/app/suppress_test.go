package app

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/webhook"
)

func suppressOne(t *testing.T, a *App, ws int64, req suppress.Intake) store.Suppression {
	t.Helper()
	if req.By == "" {
		req.By = "test"
	}
	added, _, err := a.Suppressions.Suppress(context.Background(), ws, []suppress.Intake{req})
	if err != nil || len(added) != 1 {
		t.Fatalf("Suppress(%+v) = %v, %v", req, added, err)
	}
	return added[0]
}

func checkContactable(t *testing.T, a *App, ws int64, value, channel, purpose string, want bool) {
	t.Helper()
	ans, err := a.Suppressions.CheckSuppressed(context.Background(), ws, "", value, channel, purpose)
	if err != nil {
		t.Fatalf("check %q: %v", value, err)
	}
	if ans.Contactable != want {
		t.Fatalf("check %q on %q for %q: contactable %v, want %v (%+v)", value, channel, purpose, ans.Contactable, want, ans)
	}
}

// TestSuppressSpellingsAndScopes: variants of a listed identifier are caught; scopes limit
// what an entry blocks; a domain entry blocks its addresses.
func TestSuppressSpellingsAndScopes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ws := a.Workspace.ID
		suppressOne(t, a, ws, suppress.Intake{Value: "Jane.Doe+news@GMail.com", Reason: "unsubscribe"})
		suppressOne(t, a, ws, suppress.Intake{Value: "+1 (415) 555-0123", Reason: "request-phone", Scope: "phone"})
		suppressOne(t, a, ws, suppress.Intake{Value: "spam-trap.example", Reason: "manual"})
		suppressOne(t, a, ws, suppress.Intake{Value: "ann@example.org", Reason: "request-email", Scope: "purpose:surveys"})
		for _, v := range []string{"janedoe@gmail.com", "JANE.DOE@googlemail.com", " jane.doe+x@gmail.com "} {
			checkContactable(t, a, ws, v, "email", "newsletter", false)
		}
		checkContactable(t, a, ws, "tel:+14155550123", "phone", "", false)
		checkContactable(t, a, ws, "+1.415.555.0123", "sms", "", true) // scope: phone only
		checkContactable(t, a, ws, "anyone@SPAM-TRAP.example", "email", "newsletter", false)
		checkContactable(t, a, ws, "ann@example.org", "email", "surveys", false)
		checkContactable(t, a, ws, "ann@example.org", "email", "newsletter", true)
		checkContactable(t, a, ws, "bob@example.org", "email", "newsletter", true)
		ctx := context.Background()
		for _, bad := range []suppress.Intake{
			{Value: "a@b.example\r\nBcc: x@y.example", Reason: "manual"},
			{Value: "555-0123", Reason: "manual", Kind: "phone"},
			{Value: "x@example.org", Reason: "manual", Scope: "fax"},
			{Value: "x@example.org", Reason: "because"},
			{Value: "x@example.org", Reason: "manual", Scope: "phone"},
			{Value: "x@example.org", Reason: "manual", ReceivedAt: time.Now().Add(48 * time.Hour)},
			{Value: "x@example.org", Reason: "manual", Note: "call me\r\nX-Injected: yes"},
		} {
			bad.By = "test"
			if _, _, err := a.Suppressions.Suppress(ctx, ws, []suppress.Intake{bad}); !errors.Is(err, suppress.ErrInvalid) {
				t.Errorf("%+v: err = %v, want suppress.ErrInvalid", bad, err)
			}
		}
		if all, _ := a.Suppressions.Entries(ctx, ws, suppress.Filter{IncludeRemoved: true}); len(all) != 4 {
			t.Fatalf("bad requests stored something: %d entries", len(all))
		}
	})
}

// TestSuppressWorkspacesAndRoles: one workspace's entries never answer in another; instance
// entries answer in all; a marketer cannot lift an unsubscribe; removal needs a reason.
func TestSuppressWorkspacesAndRoles(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		other, err := a.st.EnsureWorkspace(ctx, "agency-client")
		if err != nil {
			t.Fatal(err)
		}
		e := suppressOne(t, a, a.Workspace.ID, suppress.Intake{Value: "ann@example.org", Reason: "unsubscribe"})
		checkContactable(t, a, other.ID, "ann@example.org", "email", "", true)
		suppressOne(t, a, store.InstanceWorkspace, suppress.Intake{Value: "+442079460000", Reason: "manual"})
		checkContactable(t, a, other.ID, "+44 20 7946 0000", "phone", "", false)
		checkContactable(t, a, a.Workspace.ID, "+44 20 7946 0000", "sms", "", false)

		if _, err := a.Suppressions.Unsuppress(ctx, a.Workspace.ID, e.ID, "mallory", "want to mail her", store.RoleMarketer); !errors.Is(err, suppress.ErrProtected) {
			t.Fatalf("marketer lifted an unsubscribe: %v", err)
		}
		if _, err := a.Suppressions.Unsuppress(ctx, a.Workspace.ID, e.ID, "carol", "  ", store.RoleCompliance); !errors.Is(err, suppress.ErrInvalid) {
			t.Fatalf("removal without reason: %v", err)
		}
		if _, err := a.Suppressions.Unsuppress(ctx, other.ID, e.ID, "carol", "x", store.RoleAdmin); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("removal from another workspace: %v", err)
		}
		if _, err := a.Suppressions.Unsuppress(ctx, a.Workspace.ID, e.ID, "carol", "she opted in again by double opt-in", store.RoleCompliance); err != nil {
			t.Fatal(err)
		}
		checkContactable(t, a, a.Workspace.ID, "ann@example.org", "email", "", true)
	})
}

// TestSuppressAcrossProcesses: an entry recorded by another process (the CLI next to a
// server) screens in this one after a catch-up, and at once in every bulk screening.
func TestSuppressAcrossProcesses(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a, b := openApp(t, dsn), openApp(t, dsn)
		ctx := context.Background()
		checkContactable(t, a, a.Workspace.ID, "late@example.org", "email", "", true) // loads a's index
		suppressOne(t, b, b.Workspace.ID, suppress.Intake{Value: "late@example.org", Reason: "request-letter"})
		// a's own next write finds b's change in between and catches up on it too.
		suppressOne(t, a, a.Workspace.ID, suppress.Intake{Value: "own@example.org", Reason: "manual"})
		checkContactable(t, a, a.Workspace.ID, "late@example.org", "email", "", false)
		checkContactable(t, a, a.Workspace.ID, "own@example.org", "email", "", false)
		suppressOne(t, b, b.Workspace.ID, suppress.Intake{Value: "later@example.org", Reason: "request-letter"})
		s, err := a.Suppressions.Screen(ctx, a.Workspace.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, blocked, _ := s.Check(suppress.KindEmail, "later@example.org", "email", ""); !blocked {
			t.Fatal("a fresh screen misses another process's entry")
		}
	})
}

// TestSuppressWebhooks: every change reaches the CRM's endpoint, signed; a failing endpoint is
// retried and the attempts are logged.
func TestSuppressWebhooks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		var mu sync.Mutex
		var events []string
		fail := true
		var secret []byte
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			if err := webhook.Verify(secret, r.Header.Get(webhook.Header), body, time.Now(), time.Minute); err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			if fail {
				fail = false
				http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
				return
			}
			events = append(events, r.Header.Get("Clearlist-Event")+" "+string(body))
		}))
		defer srv.Close()
		h, err := a.Webhooks.Create(ctx, a.Workspace.ID, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		secret = h.Secret
		e := suppressOne(t, a, a.Workspace.ID, suppress.Intake{Value: "crm@example.org", Reason: "request-phone", Scope: "email"})
		if _, err := a.Suppressions.Unsuppress(ctx, a.Workspace.ID, e.ID, "carol", "wrong address", store.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if sent, failed, err := a.Webhooks.Deliver(ctx, now, 10); err != nil || sent != 1 || failed != 1 {
			t.Fatalf("first round: sent %d failed %d, %v", sent, failed, err)
		}
		if sent, _, _ := a.Webhooks.Deliver(ctx, now, 10); sent != 0 {
			t.Fatal("a failed delivery is retried only after its backoff")
		}
		if sent, failed, err := a.Webhooks.Deliver(ctx, now.Add(webhook.Backoff(1)+webhook.Lease), 10); err != nil || sent != 1 || failed != 0 {
			t.Fatalf("retry round: sent %d failed %d, %v", sent, failed, err)
		}
		mu.Lock()
		defer mu.Unlock()
		got := strings.Join(events, "\n")
		if !strings.Contains(got, "suppression.added") || !strings.Contains(got, "suppression.removed") || !strings.Contains(got, "crm@example.org") {
			t.Fatalf("the CRM got:\n%s", got)
		}
		log, _ := a.Webhooks.Log(ctx, a.Workspace.ID, h.ID, 10)
		attempts := 0
		for _, d := range log {
			attempts += d.Attempts
		}
		if len(log) != 2 || attempts != 3 {
			t.Fatalf("delivery log: %d deliveries, %d attempts; want 2, 3", len(log), attempts)
		}
	})
}

// TestSuppressErasure: after erasure no entry holds the clear value, and the person is still
// blocked on every channel, in every spelling.
func TestSuppressErasure(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		ws := a.Workspace.ID
		if _, err := a.Webhooks.Create(ctx, ws, "http://127.0.0.1:1/crm"); err != nil {
			t.Fatal(err)
		}
		suppressOne(t, a, ws, suppress.Intake{Value: "gone@example.org", Reason: "unsubscribe", Scope: "email:newsletter", Note: "asked on the phone <call 8812> \"urgent\""})
		n, err := a.Suppressions.EraseIdentifier(ctx, ws, "", "Gone@Example.org", "dsar")
		if err != nil || n != 2 {
			t.Fatalf("EraseIdentifier = %d, %v", n, err)
		}
		all, _ := a.Suppressions.Entries(ctx, ws, suppress.Filter{IncludeRemoved: true})
		for _, e := range all {
			if e.Value != "" {
				t.Fatalf("clear value left after erasure: %+v", e)
			}
		}
		ds, _ := a.Webhooks.Log(ctx, ws, 1, 10)
		if len(ds) == 0 {
			t.Fatal("no webhook deliveries queued")
		}
		for _, d := range ds {
			if strings.Contains(d.Body, "gone@example.org") || strings.Contains(d.Body, "asked on the phone") || strings.Contains(d.Body, "call 8812") {
				t.Fatalf("webhook log keeps the erased value: %s", d.Body)
			}
		}
		checkContactable(t, a, ws, "GONE@example.org", "email", "surveys", false)
		checkContactable(t, a, ws, "gone@example.org", "sms", "", false)
	})
}

// TestSuppressDeadlines: the deadline follows the channel and jurisdiction, and a workspace
// limit only ever shortens it.
func TestSuppressDeadlines(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		ws := a.Workspace.ID
		received := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC) // a Friday
		us := suppressOne(t, a, ws, suppress.Intake{Value: "+1 212 555 0100", Reason: "request-phone", ReceivedAt: received})
		if us.DeadlineRule != "dl-us-email" && us.DeadlineRule != "dl-us-phone" && us.DeadlineRule != "dl-us-sms" {
			t.Fatalf("US number: rule %s", us.DeadlineRule)
		}
		// 10 business days from the day after, Thanksgiving (26 November) off: the end of 7 December.
		if want := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC); !us.Deadline.Equal(want) {
			t.Errorf("US deadline %v, want %v", us.Deadline, want)
		}
		eu := suppressOne(t, a, ws, suppress.Intake{Value: "ann@example.de", Reason: "request-email", Country: "DE", ReceivedAt: received})
		if eu.DeadlineRule != "dl-eu-objection" || !eu.Deadline.Equal(received.Add(48*time.Hour)) {
			t.Errorf("EU: %s %v", eu.DeadlineRule, eu.Deadline)
		}
		for _, bad := range []string{"-1", "soon", "99999"} {
			if err := a.Workspaces.SetSetting(ctx, ws, SettingDeadlineHours, bad); err == nil {
				t.Errorf("deadline hours %q accepted", bad)
			}
		}
		if err := a.Workspaces.SetSetting(ctx, ws, SettingDeadlineHours, "24"); err != nil {
			t.Fatal(err)
		}
		eu2 := suppressOne(t, a, ws, suppress.Intake{Value: "bo@example.de", Reason: "request-email", Country: "DE", ReceivedAt: received})
		if eu2.DeadlineRule != "dl-workspace" || !eu2.Deadline.Equal(received.Add(24*time.Hour)) {
			t.Errorf("workspace limit: %s %v", eu2.DeadlineRule, eu2.Deadline)
		}
		if err := a.Workspaces.SetSetting(ctx, ws, SettingDeadlineHours, "2000"); err != nil {
			t.Fatal(err)
		}
		eu3 := suppressOne(t, a, ws, suppress.Intake{Value: "cy@example.de", Reason: "request-email", Country: "DE", ReceivedAt: received})
		if eu3.DeadlineRule != "dl-eu-objection" {
			t.Errorf("a longer workspace limit must not lengthen the legal deadline: %s %v", eu3.DeadlineRule, eu3.Deadline)
		}
		late, _ := a.Suppressions.Entries(ctx, ws, suppress.Filter{LateOnly: true})
		if len(late) != 3 { // the EU ones, received on 20 November and recorded days later; the US one is in time
			t.Errorf("late entries: %d", len(late))
		}
		if !late[0].Late() || late[0].Value != "ann@example.de" {
			t.Errorf("first late entry: %+v", late[0])
		}
	})
}

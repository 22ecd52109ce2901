package transactional_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/deliver/delivertest"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/transactional"
	"github.com/clearlist/clearlist/internal/workspace"
)

type env struct {
	st   *store.Store
	ws   int64
	wss  *workspace.Service
	dnc  *suppress.Service
	sink *delivertest.Sink
	svc  *transactional.Service
	dkim *campaign.DKIMKeys
}

func newEnv(t *testing.T, st *store.Store) *env {
	t.Helper()
	ctx := context.Background()
	w, err := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddPurpose(ctx, w.ID, consent.Purpose{Name: "receipts", Description: "order receipts"}); err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, ws: w.ID, wss: workspace.New(st), dnc: suppress.New(st, suppress.Options{}, nil),
		sink: &delivertest.Sink{}}
	e.sink.OnRcpt = func(s *delivertest.Session) error {
		if strings.HasPrefix(s.To, "gone@") {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}
	addr, _ := delivertest.Start(t, e.sink, string(deliver.TLSNone))
	e.dkim = campaign.NewDKIMKeys(st)
	env := &campaign.Composer{Settings: e.wss, Keys: st, DKIM: e.dkim}
	e.svc = transactional.New(st, e.dnc, env, &deliver.SMTP{Addr: addr, TLS: deliver.TLSNone}, e.wss)
	if err := e.wss.SetSetting(ctx, w.ID, transactional.SettingFrom, "Shop <orders@shop.example>"); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) suppress(t *testing.T, value, scope, reason string) {
	t.Helper()
	if _, _, err := e.dnc.Suppress(context.Background(), e.ws, []suppress.Intake{{Kind: "email", Value: value, Scope: scope,
		Reason: reason, By: "test"}}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) actions(t *testing.T) []string {
	t.Helper()
	es, err := e.st.AuditEntries(context.Background(), e.ws, audit.Filter{Entity: "transactional", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(es) - 1; i >= 0; i-- {
		out = append(out, es[i].Action)
	}
	return out
}

// TestSend: a message goes out at once from the stream's sender, personalised, with
// Feedback-ID stream "transactional" and no list headers; it is logged and audited. A
// saved template serves as well as inline parts.
func TestSend(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		got, err := e.svc.Send(ctx, transactional.Request{WorkspaceID: e.ws, To: "ann@example.com", Purpose: "receipts",
			Content: campaign.Content{Subject: "Order {{.Contact.order}}", Text: "Thanks, {{.Contact.name}}."},
			Data:    map[string]any{"order": "A-17", "name": "Ann"}})
		if err != nil || got.State != transactional.StateSent || got.MessageID == "" || got.SentAt == nil {
			t.Fatalf("send = %+v, %v", got, err)
		}
		msgs := e.sink.Messages()
		if len(msgs) != 1 || msgs[0].To != "ann@example.com" {
			t.Fatalf("relay got %+v", msgs)
		}
		data := string(msgs[0].Data)
		for _, want := range []string{"Subject: Order A-17", "Thanks, Ann.", "orders@shop.example", ":transactional:", got.MessageID} {
			if !strings.Contains(data, want) {
				t.Errorf("message lacks %q:\n%s", want, data)
			}
		}
		if strings.Contains(data, "List-Unsubscribe") || strings.Contains(data, "List-Id") {
			t.Errorf("a transactional message carries list headers:\n%s", data)
		}
		if _, err := st.CreateTemplate(ctx, campaign.Template{WorkspaceID: e.ws, Name: "reset",
			Content: campaign.Content{Subject: "Reset your password", HTML: "<p>Code {{.Contact.code}}</p>"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Send(ctx, transactional.Request{WorkspaceID: e.ws, To: "bob@example.com", Purpose: "receipts",
			Template: "reset", Data: map[string]any{"code": "<9>"}}); err != nil {
			t.Fatal(err)
		}
		if m := e.sink.Messages(); len(m) != 2 || !strings.Contains(string(m[1].Data), "&lt;9&gt;") {
			t.Errorf("template message: %q", m)
		}
		log, err := e.svc.Sends(ctx, e.ws, 0, 10)
		if err != nil || len(log) != 2 || log[0].Template != "reset" || log[1].MessageID != got.MessageID || log[1].State != "sent" {
			t.Fatalf("send log = %+v, %v", log, err)
		}
		if a := e.actions(t); len(a) != 2 || a[0] != "transactional.send" {
			t.Errorf("audit = %v", a)
		}
	})
}

// TestScreened: an unsubscribe from marketing does not stop a receipt; an entry covering
// everything, one for the receipt's own purpose, or a hard bounce does, with the reason, recorded as refused and audited;
// nothing reaches the relay.
func TestScreened(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		e.suppress(t, "news@example.com", "email:newsletter", "unsubscribe")
		e.suppress(t, "bounced@example.com", "email", "hard-bounce")
		e.suppress(t, "objector@example.com", "all", "request-email")
		e.suppress(t, "no-receipts@example.com", "email:receipts", "request-email")
		req := func(to string) transactional.Request {
			return transactional.Request{WorkspaceID: e.ws, To: to, Purpose: "receipts", Content: campaign.Content{Subject: "Receipt", Text: "Paid."}}
		}
		if _, err := e.svc.Send(ctx, req("news@example.com")); err != nil {
			t.Errorf("a marketing unsubscribe stopped a receipt: %v", err)
		}
		for to, want := range map[string]string{"bounced@example.com": "hard-bounced", "objector@example.com": "every channel and purpose",
			"no-receipts@example.com": "covers the purpose receipts"} {
			got, err := e.svc.Send(ctx, req(to))
			if !errors.Is(err, transactional.ErrRefused) || !strings.Contains(err.Error(), want) || got.State != transactional.StateRefused {
				t.Errorf("%s: %+v, %v; want refused, %q", to, got, err, want)
			}
		}
		if n := len(e.sink.Messages()); n != 1 {
			t.Errorf("relay got %d messages, want 1", n)
		}
		if a := e.actions(t); len(a) != 4 || a[1] != "transactional.refuse" || a[2] != "transactional.refuse" || a[3] != "transactional.refuse" {
			t.Errorf("audit = %v", a)
		}
	})
}

// TestBadRequests: what is refused before anything is recorded or sent.
func TestBadRequests(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		parts := campaign.Content{Subject: "Hi", Text: "Hello"}
		for name, r := range map[string]transactional.Request{
			"marketing purpose": {To: "a@example.com", Purpose: "newsletter", Content: parts},
			"unknown purpose":   {To: "a@example.com", Purpose: "nope", Content: parts},
			"header injection":  {To: "a@example.com\r\nBcc: x@example.com", Purpose: "receipts", Content: parts},
			"no body":           {To: "a@example.com", Purpose: "receipts", Content: campaign.Content{Subject: "Hi"}},
			"both":              {To: "a@example.com", Purpose: "receipts", Template: "x", Content: parts},
			"no template":       {To: "a@example.com", Purpose: "receipts", Template: "missing"},
			"bad template":      {To: "a@example.com", Purpose: "receipts", Content: campaign.Content{Subject: "{{", Text: "x"}},
		} {
			r.WorkspaceID = e.ws
			if _, err := e.svc.Send(ctx, r); !errors.Is(err, transactional.ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if len(e.sink.Messages()) != 0 || len(e.actions(t)) != 0 {
			t.Error("a bad request was sent or recorded")
		}
		other, _ := st.EnsureWorkspace(ctx, "nosender")
		_ = st.AddPurpose(ctx, other.ID, consent.Purpose{Name: "receipts"})
		if _, err := e.svc.Send(ctx, transactional.Request{WorkspaceID: other.ID, To: "a@example.com", Purpose: "receipts",
			Content: parts}); !errors.Is(err, transactional.ErrInvalid) || !strings.Contains(err.Error(), transactional.SettingFrom) {
			t.Errorf("no sender: %v", err)
		}
	})
}

// TestRelayAndRate: a relay's refusal is recorded as failed with its code; over the
// stream's rate a request is refused rather than queued behind marketing.
func TestRelayAndRate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		parts := campaign.Content{Subject: "Hi", Text: "Hello"}
		got, err := e.svc.Send(ctx, transactional.Request{WorkspaceID: e.ws, To: "gone@example.com", Purpose: "receipts", Content: parts})
		if err == nil || got.State != transactional.StateFailed || got.SMTPCode != 550 {
			t.Fatalf("refused by the relay: %+v, %v", got, err)
		}
		log, _ := e.svc.Sends(ctx, e.ws, 0, 10)
		if len(log) != 1 || log[0].State != "failed" || log[0].SMTPCode != 550 {
			t.Errorf("send log = %+v", log)
		}
		if err := e.wss.SetSetting(ctx, e.ws, transactional.SettingRate, "0.001"); err != nil {
			t.Fatal(err)
		}
		e.svc.MaxWait = 0
		if _, err := e.svc.Send(ctx, transactional.Request{WorkspaceID: e.ws, To: "ann@example.com", Purpose: "receipts", Content: parts}); err != nil {
			t.Fatalf("the first within the rate: %v", err)
		}
		_, err = e.svc.Send(ctx, transactional.Request{WorkspaceID: e.ws, To: "bob@example.com", Purpose: "receipts", Content: parts})
		if !errors.Is(err, transactional.ErrRateLimited) {
			t.Errorf("over the rate: %v", err)
		}
	})
}

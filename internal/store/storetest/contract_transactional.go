package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/transactional"
)

// The store is the transactional service's Store.
var _ transactional.Store = (*store.Store)(nil)

// testTransactional: a send is recorded with its audit entry (the address hashed), its
// outcome recorded once, listed newest first in pages, never across workspaces.
func testTransactional(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a, b := ws(t, st, "tx-a"), ws(t, st, "tx-b")
	at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	first, err := st.RecordTransactional(ctx, transactional.Send{WorkspaceID: a, Address: "ann@example.com", Purpose: "receipts",
		Template: "receipt", State: transactional.StateSending, CreatedAt: at})
	if err != nil || first.ID == 0 {
		t.Fatalf("record = %+v, %v", first, err)
	}
	refused, err := st.RecordTransactional(ctx, transactional.Send{WorkspaceID: a, Address: "gone@example.com", Purpose: "receipts",
		State: transactional.StateRefused, Reason: "hard bounce", CreatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordTransactional(ctx, transactional.Send{WorkspaceID: b, Address: "x@example.com", Purpose: "p",
		State: transactional.StateSending, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	sent := at.Add(time.Second)
	first.State, first.MessageID, first.SentAt = transactional.StateSent, "t1@shop.example", &sent
	if err := st.FinishTransactional(ctx, first); err != nil {
		t.Fatal(err)
	}
	late := first
	late.State, late.Reason = transactional.StateFailed, "too late"
	if err := st.FinishTransactional(ctx, late); err != nil { // a finished send keeps its outcome
		t.Fatal(err)
	}
	log, err := st.TransactionalSends(ctx, a, 0, 10)
	if err != nil || len(log) != 2 || log[0].ID != refused.ID || log[1].State != "sent" || log[1].MessageID != "t1@shop.example" ||
		log[1].SentAt == nil || !log[1].SentAt.Equal(sent) || !log[1].CreatedAt.Equal(at) || log[0].Reason != "hard bounce" {
		t.Fatalf("log = %+v, %v", log, err)
	}
	if page, err := st.TransactionalSends(ctx, a, refused.ID, 10); err != nil || len(page) != 1 || page[0].ID != first.ID {
		t.Errorf("page before %d = %+v, %v", refused.ID, page, err)
	}
	es, err := st.AuditEntries(ctx, a, audit.Filter{Entity: "transactional", Limit: 10})
	if err != nil || len(es) != 2 || es[0].Action != "transactional.refuse" || es[1].Action != "transactional.send" {
		t.Fatalf("audit = %+v, %v", es, err)
	}
	for _, c := range es[1].Changes {
		if c.Field == "to" && !strings.HasPrefix(c.After, audit.PersonalPrefix) {
			t.Errorf("the address is in the audit trail in clear: %+v", c)
		}
	}
}

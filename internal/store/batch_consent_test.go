package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

func consentRows(from, n int, purpose string) []contact.Row {
	rows := make([]contact.Row, n)
	at := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	for i := range rows {
		email := fmt.Sprintf("p%d@example.com", from+i)
		rows[i] = contact.Row{Num: from + i, Email: email, EmailCanonical: email, Consents: []consent.Entry{
			{Purpose: "newsletter", Channel: consent.Email, Action: consent.Granted, Basis: consent.BasisDoubleOptIn,
				Evidence: consent.Evidence{Wording: "Yes", Timestamp: at, IP: "203.0.113.9"}, Actor: "cli:test"},
			{Purpose: purpose, Channel: consent.Email, Action: consent.Confirmed, Basis: consent.BasisDoubleOptIn,
				Evidence: consent.Evidence{Timestamp: at.Add(time.Minute)}, Actor: "cli:test"}}}
	}
	return rows
}

// TestWriteBatchConsentsWhole: a batch writes its contacts and their ledger entries together,
// chained in row order after the earlier batches; a batch that fails midway (its last entry
// names a purpose the workspace lacks, refused by the batch's check after every contact and
// the other entries were written) leaves neither contacts nor entries, and the chain intact.
func TestWriteBatchConsentsWhole(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			st := e.Open(t)
			ws, _ := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
			if err := st.EnsureDefaultPurposes(ctx, ws.ID); err != nil {
				t.Fatal(err)
			}
			src, _ := st.CreateSource(ctx, contact.Source{WorkspaceID: ws.ID, Type: "api"})
			w, err := st.NewBatchWriter(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			res, err := w.WriteBatch(ctx, &contact.Batch{WorkspaceID: ws.ID, SourceID: src.ID, Rows: consentRows(1, 700, "newsletter")})
			if err != nil || res.Inserted != 700 || res.Consents != 1400 {
				t.Fatalf("first batch: %+v %v", res, err)
			}
			bad := consentRows(701, 600, "newsletter")
			bad[599].Consents[1].Purpose = "no-such-purpose"
			if _, err := w.WriteBatch(ctx, &contact.Batch{WorkspaceID: ws.ID, SourceID: src.ID, Rows: bad}); err == nil {
				t.Fatal("a batch with an entry the store refuses was written")
			}
			if _, err := st.ContactByEmail(ctx, ws.ID, "p701@example.com"); err == nil {
				t.Fatal("the failed batch left a contact")
			}
			res, err = w.WriteBatch(ctx, &contact.Batch{WorkspaceID: ws.ID, SourceID: src.ID, Rows: consentRows(1301, 10, "newsletter")})
			if err != nil || res.Consents != 20 {
				t.Fatalf("third batch: %+v %v", res, err)
			}
			var v consent.Verifier
			n := 0
			if err := st.EachConsent(ctx, ws.ID, func(e consent.Entry) error {
				if b := v.Add(e); b != nil {
					return b
				}
				if e.SourceID != src.ID || e.ContactID == 0 {
					return fmt.Errorf("entry %d: source %d contact %d", e.Seq, e.SourceID, e.ContactID)
				}
				n++
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if n != 1420 {
				t.Fatalf("%d entries, want 1420", n)
			}
			c, err := st.ContactByEmail(ctx, ws.ID, "p1305@example.com")
			if err != nil {
				t.Fatal(err)
			}
			es, err := st.ConsentsForContact(ctx, ws.ID, c.ID)
			if err != nil || len(es) != 2 || es[0].Seq != 1400+9 || es[1].Action != consent.Confirmed {
				t.Fatalf("entries of p1305: %+v %v", es, err)
			}
		})
	}
}

// TestWriteBatchConsentsRefs: the consents table has no foreign keys, so a batch whose rows
// name a source of another workspace, or a purpose the workspace lacks, is refused by the
// batch's own check, and nothing of it is written.
func TestWriteBatchConsentsRefs(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			st := e.Open(t)
			ws, _ := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
			other, err := st.CreateWorkspace(ctx, "other")
			if err != nil {
				t.Fatal(err)
			}
			if err := st.EnsureDefaultPurposes(ctx, ws.ID); err != nil {
				t.Fatal(err)
			}
			src, _ := st.CreateSource(ctx, contact.Source{WorkspaceID: ws.ID, Type: "api"})
			foreign, _ := st.CreateSource(ctx, contact.Source{WorkspaceID: other.ID, Type: "api"})
			w, err := st.NewBatchWriter(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			rows := consentRows(1, 5, "newsletter")
			rows[3].SourceID = foreign.ID
			if _, err := w.WriteBatch(ctx, &contact.Batch{WorkspaceID: ws.ID, SourceID: src.ID, Rows: rows}); !errors.Is(err, consent.ErrUnknownSource) {
				t.Fatalf("a row naming another workspace's source: %v, want ErrUnknownSource", err)
			}
			rows = consentRows(1, 5, "no-such-purpose")
			if _, err := w.WriteBatch(ctx, &contact.Batch{WorkspaceID: ws.ID, SourceID: src.ID, Rows: rows}); !errors.Is(err, consent.ErrInvalid) ||
				!strings.Contains(err.Error(), "no-such-purpose") {
				t.Fatalf("an unknown purpose: %v, want ErrInvalid naming it", err)
			}
			n := 0
			st.EachConsent(ctx, ws.ID, func(consent.Entry) error { n++; return nil })
			if _, err := st.ContactByEmail(ctx, ws.ID, "p1@example.com"); err == nil || n != 0 {
				t.Fatalf("refused batches left a contact or %d entries", n)
			}
		})
	}
}

// TestWriteBatchConsentsIDsFollowChain: a batch takes its entries' ids before its turn; an
// entry recorded by another writer in between (here, from the turn itself) holds a larger
// id, so the batch takes its ids again under the chain's lock, and ids keep growing in
// chain order (the latest entry of a contact is found by id). PostgreSQL only: on SQLite
// the batch's transaction holds the one write lock from its start.
func TestWriteBatchConsentsIDsFollowChain(t *testing.T) {
	for _, e := range storetest.Engines() {
		if e.Name != "postgres" {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			st := e.Open(t)
			ws, _ := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
			if err := st.EnsureDefaultPurposes(ctx, ws.ID); err != nil {
				t.Fatal(err)
			}
			src, _ := st.CreateSource(ctx, contact.Source{WorkspaceID: ws.ID, Type: "api"})
			c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: ws.ID, Email: "alone@example.com", EmailCanonical: "alone@example.com", FirstSourceID: src.ID}, nil)
			if err != nil {
				t.Fatal(err)
			}
			w, err := st.NewBatchWriter(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			b := &contact.Batch{WorkspaceID: ws.ID, SourceID: src.ID, Rows: consentRows(1, 50, "newsletter")}
			b.Turn = func(ctx context.Context) error {
				_, err := st.AppendConsent(ctx, consent.Entry{WorkspaceID: ws.ID, ContactID: c.ID, Purpose: "newsletter", Channel: consent.Email,
					Action: consent.Granted, Basis: consent.BasisConsent, Actor: "cli:test", SourceID: src.ID,
					Evidence: consent.Evidence{Wording: "Yes", Timestamp: time.Now()}})
				return err
			}
			if res, err := w.WriteBatch(ctx, b); err != nil || res.Consents != 100 {
				t.Fatalf("batch: %+v %v", res, err)
			}
			var v consent.Verifier
			var last int64
			if err := st.EachConsent(ctx, ws.ID, func(e consent.Entry) error {
				if b := v.Add(e); b != nil {
					return b
				}
				if e.ID <= last {
					return fmt.Errorf("entry seq %d has id %d after id %d", e.Seq, e.ID, last)
				}
				last = e.ID
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

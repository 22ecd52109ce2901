package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

func rows(n int, attrs map[string]any) []contact.Row {
	out := make([]contact.Row, n)
	for i := range out {
		e := fmt.Sprintf("user%d@example.com", i)
		out[i] = contact.Row{Num: i + 1, Email: e, EmailCanonical: e, Attrs: attrs}
	}
	return out
}

func writeBatch(t *testing.T, st *store.Store, b contact.Batch) contact.BatchResult {
	t.Helper()
	ctx := context.Background()
	w, err := st.NewBatchWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	res, err := w.WriteBatch(ctx, &b)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func testBatchWrite(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "batch")
	src := source(t, st, w)
	l, _ := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "imported"})
	b := contact.Batch{WorkspaceID: w, SourceID: src.ID, ListID: l.ID, OnConflict: contact.ConflictUpdate,
		Rows: rows(1200, map[string]any{"company": "ACME"})}
	b.Rows = append(b.Rows, b.Rows[0]) // a repeated row in one batch is skipped, not an error
	if res := writeBatch(t, st, b); res != (contact.BatchResult{Inserted: 1200, Skipped: 1}) {
		t.Fatalf("first write: %+v", res)
	}
	// The same rows again: the same contacts, nothing changed.
	if res := writeBatch(t, st, b); res != (contact.BatchResult{Unchanged: 1200, Skipped: 1}) {
		t.Fatalf("second write: %+v", res)
	}
	first, err := st.ContactByEmail(ctx, w, "user0@example.com")
	if err != nil {
		t.Fatal(err)
	}
	first.Status = contact.StatusUnsubscribed
	if _, err := st.UpdateContact(ctx, first, 0, nil); err != nil {
		t.Fatal(err)
	}
	// Changed attributes merge in; a phone appears; status is never reset by an import.
	src2 := source(t, st, w)
	b2 := contact.Batch{WorkspaceID: w, SourceID: src2.ID, OnConflict: contact.ConflictUpdate,
		Rows: rows(2, map[string]any{"industry": "retail"})}
	b2.Rows[0].Phone, b2.Rows[0].Status = "+442071838750", contact.StatusActive
	if res := writeBatch(t, st, b2); res != (contact.BatchResult{Updated: 2}) {
		t.Fatalf("update write: %+v", res)
	}
	got, _ := st.ContactByEmail(ctx, w, "user0@example.com")
	if got.Attrs["company"] != "ACME" || got.Attrs["industry"] != "retail" || got.Phone != "+442071838750" ||
		got.Status != contact.StatusUnsubscribed || got.FirstSourceID != src.ID {
		t.Fatalf("merged contact = %+v", got)
	}
	srcs, _ := st.ContactSources(ctx, w, got.ID)
	if len(srcs) != 2 {
		t.Fatalf("contact sources = %d, want 2 (first and the one that touched it)", len(srcs))
	}
	// Skip mode leaves existing contacts alone but still records the source.
	src3 := source(t, st, w)
	b3 := contact.Batch{WorkspaceID: w, SourceID: src3.ID, OnConflict: contact.ConflictSkip,
		Rows: rows(3, map[string]any{"industry": "banking"})}
	if res := writeBatch(t, st, b3); res != (contact.BatchResult{Skipped: 3}) {
		t.Fatalf("skip write: %+v", res)
	}
	got, _ = st.ContactByEmail(ctx, w, "user1@example.com")
	if got.Attrs["industry"] != "retail" {
		t.Fatalf("skip mode changed the contact: %+v", got)
	}
	if srcs, _ := st.ContactSources(ctx, w, got.ID); len(srcs) != 3 {
		t.Fatalf("skip mode sources = %d, want 3", len(srcs))
	}
	lists, _ := st.Lists(ctx, w)
	if len(lists) != 1 || lists[0].Members != 1200 {
		t.Fatalf("list members = %+v", lists)
	}
	assertProvenance(t, st, w)
}

// assertProvenance checks the invariant: every contact has its first source among its sources.
func assertProvenance(t *testing.T, st *store.Store, w int64) {
	t.Helper()
	ctx := context.Background()
	err := st.EachContact(ctx, w, store.ContactFilter{}, func(c contact.Contact) error {
		srcs, err := st.ContactSources(ctx, w, c.ID)
		if err != nil {
			return err
		}
		if len(srcs) == 0 || srcs[0].ID != c.FirstSourceID {
			return fmt.Errorf("contact %s has sources %v, first source %d", c.Email, srcs, c.FirstSourceID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testBatchIsolation(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a, b := ws(t, st, "iso-a"), ws(t, st, "iso-b")
	srcA, srcB := source(t, st, a), source(t, st, b)
	listB, _ := st.CreateList(ctx, contact.List{WorkspaceID: b, Name: "b"})
	writeBatch(t, st, contact.Batch{WorkspaceID: a, SourceID: srcA.ID, Rows: rows(5, nil)})
	// The same addresses in another workspace are other contacts (another data controller).
	if res := writeBatch(t, st, contact.Batch{WorkspaceID: b, SourceID: srcB.ID, Rows: rows(5, nil)}); res.Inserted != 5 {
		t.Fatalf("workspace b insert: %+v", res)
	}
	// A batch naming another workspace's list or source is refused whole.
	w, err := st.NewBatchWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, bad := range []contact.Batch{
		{WorkspaceID: a, SourceID: srcA.ID, ListID: listB.ID, Rows: rows(5, nil)},
		{WorkspaceID: a, SourceID: srcB.ID, Rows: rows(7, nil)},
	} {
		if _, err := w.WriteBatch(ctx, &bad); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("batch with a foreign list or source: err = %v", err)
		}
	}
	lists, _ := st.Lists(ctx, b)
	if lists[0].Members != 0 {
		t.Fatalf("workspace a wrote into workspace b's list: %+v", lists)
	}
	if n, _ := st.Contacts(ctx, a, store.ContactFilter{}); len(n) != 5 {
		t.Fatalf("refused batches stored contacts: %d", len(n))
	}
}

// testCascades: deleting a contact or a list removes the memberships and links they had.
func testCascades(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "cascade")
	src, src2 := source(t, st, w), source(t, st, w)
	l1, _ := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "one"})
	l2, _ := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "two"})
	writeBatch(t, st, contact.Batch{WorkspaceID: w, SourceID: src.ID, ListID: l1.ID, Rows: rows(3, nil)})
	writeBatch(t, st, contact.Batch{WorkspaceID: w, SourceID: src2.ID, ListID: l2.ID, Rows: rows(3, nil)})
	c, _ := st.ContactByEmail(ctx, w, "user0@example.com")
	if srcs, _ := st.ContactSources(ctx, w, c.ID); len(srcs) != 2 || srcs[0].ID != src.ID {
		t.Fatalf("sources before delete: %v", srcs)
	}
	if err := st.DeleteContact(ctx, w, c.ID); err != nil {
		t.Fatal(err)
	}
	counts := func() (int64, int64) {
		ls, _ := st.Lists(ctx, w)
		return ls[0].Members, ls[1].Members
	}
	if a, b := counts(); a != 2 || b != 2 {
		t.Fatalf("memberships after contact delete: %d, %d", a, b)
	}
	if srcs, _ := st.ContactSources(ctx, w, c.ID); len(srcs) != 0 {
		t.Fatalf("source links outlived the contact: %v", srcs)
	}
	if err := st.DeleteList(ctx, w, l1.ID); err != nil {
		t.Fatal(err)
	}
	// Re-creating a list must not resurrect old memberships.
	l3, _ := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "one"})
	if got, _ := st.Contacts(ctx, w, store.ContactFilter{ListID: l3.ID}); len(got) != 0 {
		t.Fatalf("deleted list's members reappeared: %d", len(got))
	}
	if got, _ := st.Contacts(ctx, w, store.ContactFilter{ListID: l1.ID}); len(got) != 0 {
		t.Fatalf("deleted list still has members: %d", len(got))
	}
}

func testImportProgress(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "imports")
	src := source(t, st, w)
	im, err := st.CreateImport(ctx, store.Import{WorkspaceID: w, SourceID: src.ID, FileName: "a.csv", OnConflict: "update"})
	if err != nil {
		t.Fatal(err)
	}
	writeBatch(t, st, contact.Batch{WorkspaceID: w, SourceID: src.ID, ImportID: im.ID, Rows: rows(10, nil), LastRow: 12, Failed: 2})
	if err := st.FinishImport(ctx, w, im.ID, store.ImportDone, "", 12, 0); err != nil {
		t.Fatal(err)
	}
	got, err := st.Import(ctx, w, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.ImportDone || got.RowsDone != 12 || got.Inserted != 10 || got.Failed != 2 || got.FinishedAt == nil {
		t.Fatalf("import = %+v", got)
	}
	if _, err := st.Import(ctx, ws(t, st, "imports-other"), im.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("import visible from another workspace: %v", err)
	}
}

func testTokens(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "tokens")
	tok, secret, err := st.CreateToken(ctx, w, "crm")
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Authenticate(ctx, secret)
	if err != nil || got.ID != tok.ID || got.WorkspaceID != w || got.Role != store.RoleAdmin {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	if _, _, err := st.CreateTokenWithRole(ctx, w, "x", "boss"); err == nil || !strings.Contains(err.Error(), "marketer") {
		t.Fatalf("unknown role: %v", err)
	}
	_, agentSecret, err := st.CreateTokenWithRole(ctx, w, "dialer", store.RoleAgent)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.Authenticate(ctx, agentSecret); err != nil || got.Role != store.RoleAgent {
		t.Fatalf("agent token = %+v, %v", got, err)
	}
	if err := st.TouchToken(ctx, got); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, secret+"x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("wrong secret accepted: %v", err)
	}
	if err := st.RevokeToken(ctx, ws(t, st, "tokens-other"), tok.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("token revocable from another workspace: %v", err)
	}
	if err := st.RevokeToken(ctx, w, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, secret); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoked token accepted: %v", err)
	}
	list, _ := st.Tokens(ctx, w)
	if len(list) != 2 || list[0].RevokedAt == nil || list[1].Role != store.RoleAgent {
		t.Fatalf("Tokens = %+v", list)
	}
}

// testWorkspaceBarrier: a contact can't claim a source of another workspace.
func testWorkspaceBarrier(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a, b := ws(t, st, "bar-a"), ws(t, st, "bar-b")
	srcB := source(t, st, b)
	c := newContact(a, srcB.ID, "x@example.com")
	if _, err := st.CreateContact(ctx, c, nil); err == nil {
		t.Fatal("contact in workspace a created with workspace b's source")
	}
}

// testIDsNeverReused: a deleted (erased) contact's id never goes to a new contact, whichever
// way the new one is written.
func testIDsNeverReused(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "ids")
	src := source(t, st, w)
	writeBatch(t, st, contact.Batch{WorkspaceID: w, SourceID: src.ID, Rows: rows(3, nil)})
	last, _ := st.ContactByEmail(ctx, w, "user2@example.com")
	if err := st.DeleteContact(ctx, w, last.ID); err != nil {
		t.Fatal(err)
	}
	fresh := rows(1, nil)
	fresh[0].Email, fresh[0].EmailCanonical = "new@example.com", "new@example.com"
	writeBatch(t, st, contact.Batch{WorkspaceID: w, SourceID: src.ID, Rows: fresh})
	byBatch, _ := st.ContactByEmail(ctx, w, "new@example.com")
	byAPI, err := st.CreateContact(ctx, newContact(w, src.ID, "api@example.com"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if byBatch.ID <= last.ID || byAPI.ID <= byBatch.ID {
		t.Fatalf("ids reused: deleted %d, then batch %d, then API %d", last.ID, byBatch.ID, byAPI.ID)
	}
}

// testConcurrentImports: two imports writing the same new addresses at the same time (two
// processes, say) both succeed, and every address ends up as exactly one contact, on both
// lists, with both sources.
func testConcurrentImports(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "concurrent")
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	lists := make([]int64, 2)
	start := make(chan struct{}) // both writers begin together, so their batches collide
	for i := range 2 {
		src := source(t, st, w)
		l, _ := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: fmt.Sprintf("l%d", i)})
		lists[i] = l.ID
		bw, err := st.ImportWriter(ctx) // the import service's way to NewBatchWriter
		if err != nil {
			t.Fatal(err)
		}
		defer bw.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for round := range 10 {
				rs := rows(400, nil)
				for j := range rs { // overlapping halves: every round shares rows with the other writer
					e := fmt.Sprintf("r%d-%d@example.com", round, j)
					rs[j].Email, rs[j].EmailCanonical = e, e
				}
				if _, err := bw.WriteBatch(ctx, &contact.Batch{WorkspaceID: w, SourceID: src.ID, ListID: l.ID,
					OnConflict: contact.ConflictUpdate, Rows: rs}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent import: %v", err)
	}
	all, _ := st.Contacts(ctx, w, store.ContactFilter{})
	if len(all) != 4000 {
		t.Fatalf("%d contacts, want 4000 (one per address)", len(all))
	}
	for _, l := range lists {
		if got, _ := st.Contacts(ctx, w, store.ContactFilter{ListID: l}); len(got) != 4000 {
			t.Fatalf("list %d has %d members, want 4000", l, len(got))
		}
	}
	assertProvenance(t, st, w)
	for _, c := range all[:50] {
		if srcs, _ := st.ContactSources(ctx, w, c.ID); len(srcs) != 2 {
			t.Fatalf("contact %s has %d sources, want both imports'", c.Email, len(srcs))
		}
	}
}

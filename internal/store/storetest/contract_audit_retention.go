package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testAuditRetention: pruning removes the entries before the cutoff and nothing else, records
// itself as a kept entry, moves the anchor in the same transaction, and leaves a chain that
// verifies from the anchor; the database still refuses every other DELETE, an anchor moved
// back or removed, and a changed kept entry is still named.
func testAuditRetention(t *testing.T, st *store.Store) {
	ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.System, Name: "retention test"})
	svc := audit.NewService(st)
	w, other := ws(t, st, "retention"), ws(t, st, "retention-other")
	for i := range 5 {
		if _, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: fmt.Sprintf("l%d", i)}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct times, so a cutoff falls between two entries
	}
	if _, err := st.CreateList(ctx, contact.List{WorkspaceID: other, Name: "kept"}); err != nil {
		t.Fatal(err)
	}
	chain := func() []audit.Entry {
		t.Helper()
		var es []audit.Entry
		if err := st.EachAuditEntry(context.Background(), w, func(e audit.Entry) error { es = append(es, e); return nil }); err != nil {
			t.Fatal(err)
		}
		return es
	}
	verify := func(ws int64) audit.Report {
		t.Helper()
		r, err := svc.Verify(context.Background(), ws)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if _, ok, err := st.AuditAnchor(context.Background(), w); ok || err != nil {
		t.Fatalf("anchor before any prune: %v, %v", ok, err)
	}
	before := chain() // workspace.create and five list.create, seq 1…6
	if len(before) != 6 {
		t.Fatalf("%d entries, want 6", len(before))
	}
	n, err := st.PruneAudit(ctx, w, before[3].RecordedAt) // removes seq 1…3
	if err != nil || n != 3 {
		t.Fatalf("PruneAudit = %d, %v; want 3 removed", n, err)
	}
	after := chain()
	if len(after) != 4 || after[0].Seq != 4 || after[3].Action != "audit.prune" || after[3].Seq != 7 {
		t.Fatalf("entries after the prune: %+v", after)
	}
	if got := fmt.Sprint(after[3].Changes); !strings.Contains(got, "removed  3") || !strings.Contains(got, before[2].Hash.String()) {
		t.Errorf("the prune entry's changes %s: want the count and the anchor's hash", got)
	}
	a, ok, err := st.AuditAnchor(context.Background(), w)
	if err != nil || !ok || a.Seq != 3 || a.EntryID != before[2].ID || !a.Hash.Equal(before[2].Hash) {
		t.Fatalf("AuditAnchor = %+v, %v, %v; want entry %d (seq 3)", a, ok, err, before[2].ID)
	}
	if r := verify(w); r.Broken != nil || r.Entries != 4 || r.Anchor == nil || r.Anchor.Seq != 3 {
		t.Fatalf("Verify after the prune = %+v", r)
	}
	if r := verify(other); r.Broken != nil || r.Entries != 2 || r.Anchor != nil {
		t.Fatalf("the other workspace's trail = %+v; want it untouched", r)
	}
	if n, err := st.PruneAudit(ctx, w, before[0].RecordedAt); err != nil || n != 0 {
		t.Fatalf("PruneAudit with nothing older = %d, %v", n, err)
	}

	for _, q := range []string{
		fmt.Sprintf(`DELETE FROM audit_entries WHERE id = %d`, after[0].ID),
		fmt.Sprintf(`UPDATE audit_anchors SET seq = 1 WHERE workspace_id = %d`, w),
		fmt.Sprintf(`DELETE FROM audit_anchors WHERE workspace_id = %d`, w),
		fmt.Sprintf(`INSERT INTO audit_anchors (workspace_id, seq, entry_id, hash, pruned_at) VALUES (%d, 1, 1, %s, CURRENT_TIMESTAMP)
			ON CONFLICT (workspace_id) DO UPDATE SET seq = excluded.seq`, w, map[bool]string{true: `'\x00'::bytea`, false: `x'00'`}[st.Dialect() == store.Postgres]),
	} {
		if _, err := st.DB().Exec(q); err == nil {
			t.Errorf("%s was accepted; only a prune may remove entries, and anchors only move forward", q)
		}
	}

	// Appends go on from the head; a prune of everything keeps its own entry.
	if _, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "later"}); err != nil {
		t.Fatal(err)
	}
	if n, err := st.PruneAudit(ctx, w, time.Now().Add(time.Second)); err != nil || n != 5 {
		t.Fatalf("PruneAudit of everything = %d, %v; want 5", n, err)
	}
	if es := chain(); len(es) != 1 || es[0].Action != "audit.prune" || es[0].Seq != 9 {
		t.Fatalf("after pruning everything: %+v", es)
	}
	if r := verify(w); r.Broken != nil || r.Entries != 1 || r.Anchor.Seq != 8 {
		t.Fatalf("Verify = %+v", r)
	}
	if _, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "after"}); err != nil {
		t.Fatal(err)
	}
	es := chain()
	forceUpdate(t, st, fmt.Sprintf(`UPDATE audit_entries SET action = 'list.delete' WHERE id = %d`, es[1].ID))
	if r := verify(w); r.Broken == nil || r.Broken.EntryID != es[1].ID || !strings.Contains(r.Broken.Reason, "hash mismatch") {
		t.Fatalf("Verify after changing entry %d = %+v", es[1].ID, r.Broken)
	}

	t.Run("DeleteBehindTriggersNamed", func(t *testing.T) {
		// An entry removed around the trigger, not by a prune: the next entry is named.
		x := ws(t, st, "retention-cut")
		for i := range 3 {
			if _, err := st.CreateList(ctx, contact.List{WorkspaceID: x, Name: fmt.Sprintf("c%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		var es []audit.Entry
		if err := st.EachAuditEntry(context.Background(), x, func(e audit.Entry) error { es = append(es, e); return nil }); err != nil {
			t.Fatal(err)
		}
		stmts := []string{`DROP TRIGGER audit_entries_no_delete`, fmt.Sprintf(`DELETE FROM audit_entries WHERE id = %d`, es[1].ID)}
		if st.Dialect() == store.Postgres {
			stmts = []string{`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_delete`, stmts[1],
				`ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_no_delete`}
		}
		for _, q := range stmts {
			if _, err := st.DB().Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if r := verify(x); r.Broken == nil || r.Broken.EntryID != es[2].ID || !strings.Contains(r.Broken.Reason, "sequence gap") {
			t.Fatalf("Verify after removing entry %d = %+v; want entry %d named", es[1].ID, r.Broken, es[2].ID)
		}
	})

	t.Run("Settings", func(t *testing.T) {
		if err := st.SetSetting(ctx, other, audit.RetentionSetting, "30"); err != nil {
			t.Fatal(err)
		}
		all, err := st.SettingOfAll(context.Background(), audit.RetentionSetting)
		if err != nil || all[other] != "30" {
			t.Fatalf("SettingOfAll = %v, %v", all, err)
		}
		if _, ok := all[w]; ok {
			t.Fatalf("SettingOfAll lists a workspace that did not set it: %v", all)
		}
	})
}

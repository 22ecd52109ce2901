package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testAudit: every audited change writes one entry in its own transaction, with the actor
// from the context, personal values only as keyed hashes, chained per workspace; tampering
// is refused by the database and, when forced, named by Verify.
func testAudit(t *testing.T, st *store.Store) {
	svc := audit.NewService(st)
	tokenActor := audit.Actor{Kind: audit.Token, ID: "7", Name: "crm", Role: "marketer", RequestID: "req-1"}
	ctx := audit.WithActor(context.Background(), tokenActor)
	w := ws(t, st, "audit")
	entries := func(t *testing.T, w int64, entity string) []audit.Entry {
		t.Helper()
		es, err := svc.List(context.Background(), w, audit.Filter{Entity: entity, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return es
	}

	t.Run("Reads", func(t *testing.T) {
		// AuditEntries: newest first, limited, filtered by entity, within the workspace only;
		// EachAuditEntry: the whole chain in order, stopped by the callback's error.
		rw := ws(t, st, "audit-reads")
		other := ws(t, st, "audit-reads-other")
		for _, name := range []string{"a", "b", "c"} {
			if _, err := st.CreateList(ctx, contact.List{WorkspaceID: rw, Name: name}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.CreateList(ctx, contact.List{WorkspaceID: other, Name: "a"}); err != nil {
			t.Fatal(err)
		}
		all, err := st.AuditEntries(context.Background(), rw, audit.Filter{Entity: "list", Limit: 10})
		if err != nil || len(all) != 3 {
			t.Fatalf("AuditEntries = %d entries, %v; want the 3 list entries of this workspace", len(all), err)
		}
		for i, e := range all {
			if e.WorkspaceID != rw || (i > 0 && e.Seq >= all[i-1].Seq) {
				t.Fatalf("AuditEntries not newest first within the workspace: %+v", all)
			}
		}
		if two, err := st.AuditEntries(context.Background(), rw, audit.Filter{Entity: "list", Limit: 2}); err != nil || len(two) != 2 || two[0].Seq != all[0].Seq {
			t.Fatalf("AuditEntries limit 2 = %+v, %v", two, err)
		}
		if none, err := st.AuditEntries(context.Background(), rw, audit.Filter{Entity: "token"}); err != nil || len(none) != 0 {
			t.Fatalf("AuditEntries entity token = %+v, %v; want none", none, err)
		}
		var seqs []int64
		if err := st.EachAuditEntry(context.Background(), rw, func(e audit.Entry) error {
			if e.WorkspaceID != rw {
				return fmt.Errorf("entry of workspace %d", e.WorkspaceID)
			}
			seqs = append(seqs, e.Seq)
			return nil
		}); err != nil || len(seqs) < 3 {
			t.Fatalf("EachAuditEntry = %v, %v", seqs, err)
		}
		for i := 1; i < len(seqs); i++ {
			if seqs[i] != seqs[i-1]+1 {
				t.Fatalf("EachAuditEntry not in chain order: %v", seqs)
			}
		}
		stop := errors.New("stop")
		n := 0
		if err := st.EachAuditEntry(context.Background(), rw, func(audit.Entry) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Fatalf("EachAuditEntry with a failing callback = %v after %d entries", err, n)
		}
	})

	t.Run("ChangeAndEntryCommitTogether", func(t *testing.T) {
		if _, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "news"}); err != nil {
			t.Fatal(err)
		}
		before := len(entries(t, w, ""))
		if _, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "news"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate list: %v", err)
		}
		if err := st.RevokeToken(ctx, w, 999999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoke unknown token: %v", err)
		}
		if err := st.DeleteContact(ctx, w, 999999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete unknown contact: %v", err)
		}
		if got := len(entries(t, w, "")); got != before {
			t.Fatalf("failed changes left %d audit entries", got-before)
		}
		es := entries(t, w, "list")
		if len(es) != 1 || es[0].Action != "list.create" || es[0].Actor != tokenActor {
			t.Fatalf("list entries = %+v; want one list.create by the token", es)
		}
	})

	t.Run("EntryFailureUndoesChange", func(t *testing.T) {
		// A trail that refuses the entry must take the change down with it.
		refuse, allow := []string{`CREATE TRIGGER audit_entries_refuse BEFORE INSERT ON audit_entries
			BEGIN SELECT RAISE(ABORT, 'test: audit entry refused'); END`}, []string{`DROP TRIGGER audit_entries_refuse`}
		if st.Dialect() == store.Postgres {
			refuse = []string{`CREATE FUNCTION audit_entries_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN RAISE EXCEPTION 'test: audit entry refused'; END; $$`,
				`CREATE TRIGGER audit_entries_refuse BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse()`}
			allow = []string{`DROP TRIGGER audit_entries_refuse ON audit_entries`, `DROP FUNCTION audit_entries_refuse()`}
		}
		for _, q := range refuse {
			if _, err := st.DB().Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		_, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "unrecorded"})
		_, _, terr := st.CreateToken(ctx, w, "unrecorded")
		for _, q := range allow {
			if _, err := st.DB().Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err == nil || terr == nil {
			t.Fatalf("changes whose audit entry failed: list %v, token %v; want errors", err, terr)
		}
		if _, err := st.ListByName(ctx, w, "unrecorded"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the list whose audit entry failed was kept: %v", err)
		}
		toks, err := st.Tokens(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range toks {
			if tok.Name == "unrecorded" {
				t.Fatal("the token whose audit entry failed was kept")
			}
		}
	})

	t.Run("ActorFromContext", func(t *testing.T) {
		tok, _, err := st.CreateToken(context.Background(), w, "no-actor")
		if err != nil {
			t.Fatal(err)
		}
		cli := audit.WithActor(context.Background(), audit.Actor{Kind: audit.CLI, ID: "alice"})
		if err := st.RevokeToken(cli, w, tok.ID); err != nil {
			t.Fatal(err)
		}
		es := entries(t, w, "token")
		if len(es) != 2 || es[0].Action != "token.revoke" || es[0].Actor.Kind != audit.CLI || es[0].Actor.ID != "alice" ||
			es[1].Action != "token.create" || es[1].Actor.Kind != audit.Unknown || es[0].EntityID != fmt.Sprint(tok.ID) {
			t.Fatalf("token entries = %+v", es)
		}
	})

	t.Run("PersonalValuesHashed", func(t *testing.T) {
		src := source(t, st, w)
		c := newContact(w, src.ID, "secret.person@example.com")
		c.Phone, c.Attrs = "+4915112345678", map[string]any{"first_name": "Zebulon"}
		c, err := st.CreateContact(ctx, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.Email, c.EmailCanonical = "other.person@example.com", "other.person@example.com"
		c.Attrs = map[string]any{"first_name": "Quintessa"}
		if _, err := st.UpdateContact(ctx, c, 0, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AppendConsent(ctx, consent.Entry{WorkspaceID: w, ContactID: c.ID, Purpose: "newsletter",
			Channel: consent.Email, Action: consent.Granted, Basis: consent.BasisConsent, Actor: "user:anna",
			Evidence: consent.Evidence{Timestamp: time.Now(), IP: "198.51.100.77", UserAgent: "SecretBrowser/9",
				Wording: "Yes", FormID: "f", FormVersion: "1"}}); err != nil {
			t.Fatal(err)
		}
		rows, err := st.DB().Query(`SELECT action, changes FROM audit_entries`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var all strings.Builder
		for rows.Next() {
			var action, changes string
			if err := rows.Scan(&action, &changes); err != nil {
				t.Fatal(err)
			}
			all.WriteString(action + " " + changes + "\n")
		}
		for _, clear := range []string{"secret.person", "other.person", "4915112345678", "Zebulon", "Quintessa", "198.51.100.77", "SecretBrowser"} {
			if strings.Contains(all.String(), clear) {
				t.Errorf("audit rows hold %q in clear:\n%s", clear, all.String())
			}
		}
		es := entries(t, w, "contact")
		if len(es) != 2 || es[0].Action != "contact.update" || es[1].Action != "contact.create" {
			t.Fatalf("contact entries = %+v", es)
		}
		var email audit.Change
		for _, ch := range es[0].Changes {
			if ch.Field == "email" {
				email = ch
			}
		}
		created := es[1].Changes[0]
		if !email.Personal || !strings.HasPrefix(email.Before, audit.PersonalPrefix) || email.Before != created.After || email.After == email.Before {
			t.Fatalf("email change = %+v, created %+v: want keyed hashes, the same value hashing alike", email, created)
		}
	})

	t.Run("RegistryFileIsOneEntry", func(t *testing.T) {
		var in []store.Suppression
		for i := range 3 {
			v := fmt.Sprintf("reg%d@example.com", i)
			in = append(in, store.Suppression{Kind: "email", Value: v, Hash: []byte(v), Reason: "registry",
				RecordedBy: "registry", ReceivedAt: time.Now(), Deadline: time.Now().Add(time.Hour)})
		}
		if _, _, err := st.AddSuppressionsBulk(ctx, w, in, "registry file x.csv"); err != nil {
			t.Fatal(err)
		}
		es := entries(t, w, "suppression")
		if len(es) != 1 || es[0].Action != "suppression.add" {
			t.Fatalf("suppression entries = %+v; want one for the file", es)
		}
		if got := fmt.Sprint(es[0].Changes); !strings.Contains(got, "added  3") {
			t.Fatalf("changes %s: want the count of entries added", got)
		}
	})

	t.Run("ConcurrentWritersOneChain", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					_, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: fmt.Sprintf("c%d-%d", g, i)})
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		r, err := svc.Verify(context.Background(), w)
		if err != nil || r.Broken != nil {
			t.Fatalf("Verify = %+v, %v", r, err)
		}
	})

	t.Run("TamperNamed", func(t *testing.T) {
		other := ws(t, st, "audit-other")
		if _, err := st.CreateList(ctx, contact.List{WorkspaceID: other, Name: "x"}); err != nil {
			t.Fatal(err)
		}
		r, err := svc.Verify(context.Background(), w)
		if err != nil || r.Broken != nil || r.Entries < 10 {
			t.Fatalf("Verify before tampering = %+v, %v", r, err)
		}
		target := entries(t, w, "list")[3]
		if _, err := st.DB().Exec(fmt.Sprintf(`UPDATE audit_entries SET actor_id = 'mallory' WHERE id = %d`, target.ID)); err == nil {
			t.Fatal("UPDATE of an audit entry was accepted; the trail must be append-only")
		}
		if _, err := st.DB().Exec(fmt.Sprintf(`DELETE FROM audit_entries WHERE id = %d`, target.ID)); err == nil {
			t.Fatal("DELETE of an audit entry was accepted; the trail must be append-only")
		}
		forceUpdate(t, st, fmt.Sprintf(`UPDATE audit_entries SET actor_id = 'mallory' WHERE id = %d`, target.ID))
		r, err = svc.Verify(context.Background(), w)
		if err != nil || r.Broken == nil || r.Broken.EntryID != target.ID || !strings.Contains(r.Broken.Reason, "hash mismatch") {
			t.Fatalf("Verify after tampering entry %d = %+v, %v", target.ID, r.Broken, err)
		}
		if r, err := svc.Verify(context.Background(), other); err != nil || r.Broken != nil || r.Entries != 2 {
			t.Fatalf("the other workspace's chain = %+v, %v; want intact, 2 entries", r, err)
		}
	})
}

// forceUpdate runs an UPDATE around the append-only triggers, as someone with the table's
// owner rights could.
func forceUpdate(t *testing.T, st *store.Store, query string) {
	t.Helper()
	var stmts []string
	if st.Dialect() == store.Postgres {
		stmts = []string{`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change`, query,
			`ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_no_change`}
	} else {
		stmts = []string{`DROP TRIGGER audit_entries_no_update`, query}
	}
	for _, q := range stmts {
		if _, err := st.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

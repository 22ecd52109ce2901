package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childImport())
	}
	if os.Getenv(childServeEnv) != "" {
		os.Exit(childServe())
	}
	os.Exit(m.Run())
}

// forEachEngine runs fn against a fresh database on SQLite and on PostgreSQL.
func forEachEngine(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, e.DSN(t))
		})
	}
}

func openApp(t *testing.T, dsn string) *App {
	t.Helper()
	a, err := Open(context.Background(), config.Config{DB: dsn, Workspace: "default", LogLevel: "error"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func declare(t *testing.T, a *App, names ...string) {
	t.Helper()
	for _, n := range names {
		typ := contact.AttrText
		if n == "company_size" {
			typ = contact.AttrNumber
		}
		if err := a.Contacts.AddAttribute(context.Background(), a.Workspace.ID, contact.Attribute{Name: n, Type: typ, Purpose: "test"}); err != nil {
			t.Fatal(err)
		}
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func genCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("email,first_name,company,company_size\n")
	for i := range n {
		fmt.Fprintf(&b, "User%d@Example.COM,Ann%d,\"ACME, %d\",%d\n", i, i, i%7, i%50)
	}
	return b.Bytes()
}

func importFile(t *testing.T, a *App, path string, mod func(*contact.ImportRequest)) contact.Summary {
	t.Helper()
	req := contact.ImportRequest{Path: path, List: "newsletter", Source: contact.Source{Type: "web-form-double-opt-in"}}
	if mod != nil {
		mod(&req)
	}
	sum, err := a.Imports.Import(context.Background(), a.Workspace.ID, req, 0)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return sum
}

// checkProvenance asserts the import invariant on the whole workspace: every contact has its
// first source, and every contact is on the list.
func checkProvenance(t *testing.T, a *App, list string) int {
	t.Helper()
	ctx := context.Background()
	l, err := a.Contacts.ListByName(ctx, a.Workspace.ID, list)
	if err != nil {
		t.Fatal(err)
	}
	// Contacts first, then memberships and sources: a batch committing meanwhile (a killed
	// import's last COMMIT landing on PostgreSQL) can then only add memberships to contacts
	// not yet read, never leave a contact read without the membership committed with it.
	var contacts []contact.Contact
	if err := a.st.EachContact(ctx, a.Workspace.ID, store.ContactFilter{}, func(c contact.Contact) error {
		contacts = append(contacts, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	onList := map[int64]bool{}
	a.st.EachContact(ctx, a.Workspace.ID, store.ContactFilter{ListID: l.ID}, func(c contact.Contact) error {
		onList[c.ID] = true
		return nil
	})
	for _, c := range contacts {
		srcs, err := a.st.ContactSources(ctx, a.Workspace.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(srcs) == 0 || srcs[0].ID != c.FirstSourceID {
			t.Fatalf("contact %s without its source (%v)", c.Email, srcs)
		}
		if !onList[c.ID] {
			t.Fatalf("contact %s not on list %s", c.Email, list)
		}
	}
	return len(contacts)
}

func exportString(t *testing.T, a *App, req imports.ExportRequest) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := a.Imports.Export(context.Background(), a.Workspace.ID, &b, req); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestImportTwiceSameContacts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		declare(t, a, "first_name", "company", "company_size")
		path := writeFile(t, "contacts.csv", genCSV(2500))
		first := importFile(t, a, path, nil)
		if first.Inserted != 2500 || first.Failed != 0 || first.ReportPath != "" {
			t.Fatalf("first import: %+v", first)
		}
		before := exportString(t, a, imports.ExportRequest{List: "newsletter"})
		second := importFile(t, a, path, nil)
		if second.Inserted != 0 || second.Unchanged != 2500 || second.Updated != 0 {
			t.Fatalf("second import: %+v", second)
		}
		if after := exportString(t, a, imports.ExportRequest{List: "newsletter"}); after != before {
			t.Fatal("second import of the same file changed the contacts")
		}
		if n := checkProvenance(t, a, "newsletter"); n != 2500 {
			t.Fatalf("%d contacts, want 2500", n)
		}
		c, err := a.st.ContactByEmail(context.Background(), a.Workspace.ID, "user7@example.com")
		if err != nil || c.Email != "User7@Example.COM" || c.Attrs["company"] != "ACME, 0" || c.Attrs["company_size"] != 7.0 {
			t.Fatalf("contact = %+v, %v", c, err)
		}
		if srcs, _ := a.st.ContactSources(context.Background(), a.Workspace.ID, c.ID); len(srcs) != 2 {
			t.Fatalf("a contact imported twice has %d sources, want 2", len(srcs))
		}
	})
}

func TestImportDuplicatesAndSkip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		declare(t, a, "first_name")
		path := writeFile(t, "d.csv", []byte("email,first_name\na@x.org,Ann\nA@X.org,Anna\nb@x.org,Bob\n"))
		sum := importFile(t, a, path, nil)
		if sum.Inserted != 2 || sum.Duplicates != 1 || sum.ReportPath == "" {
			t.Fatalf("summary: %+v", sum)
		}
		report, _ := os.ReadFile(sum.ReportPath)
		if !strings.Contains(string(report), "duplicate of row 1") {
			t.Fatalf("report does not name the duplicate:\n%s", report)
		}
		upd := writeFile(t, "u.csv", []byte("email,first_name\na@x.org,Changed\n"))
		skip := importFile(t, a, upd, func(r *contact.ImportRequest) { r.OnConflict = contact.ConflictSkip })
		if skip.Skipped != 1 {
			t.Fatalf("skip mode: %+v", skip)
		}
		c, _ := a.st.ContactByEmail(context.Background(), a.Workspace.ID, "a@x.org")
		if c.Attrs["first_name"] != "Ann" {
			t.Fatalf("skip mode changed the contact: %+v", c)
		}
		if sum := importFile(t, a, upd, nil); sum.Updated != 1 {
			t.Fatalf("update mode: %+v", sum)
		}
	})
}

func TestImportUndeclaredColumns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		declare(t, a, "first_name")
		path := writeFile(t, "x.csv", []byte("email,first_name,shoe_size,religion\na@x.org,Ann,39,none\n"))
		_, err := a.Imports.Import(context.Background(), a.Workspace.ID, contact.ImportRequest{Path: path, Source: contact.Source{Type: "api"}}, 0)
		if err == nil || !strings.Contains(err.Error(), "shoe_size") || !strings.Contains(err.Error(), "religion") {
			t.Fatalf("undeclared columns: err = %v", err)
		}
		if n, _ := a.st.Contacts(context.Background(), a.Workspace.ID, store.ContactFilter{}); len(n) != 0 {
			t.Fatal("a refused file stored contacts")
		}
		sum := importFile(t, a, path, func(r *contact.ImportRequest) { r.DropUndeclared = true })
		if sum.Inserted != 1 || len(sum.Dropped) != 2 {
			t.Fatalf("drop-undeclared: %+v", sum)
		}
		c, _ := a.st.ContactByEmail(context.Background(), a.Workspace.ID, "a@x.org")
		if _, ok := c.Attrs["religion"]; ok {
			t.Fatal("a dropped column was stored")
		}
	})
}

func TestImportRequiresKnownSource(t *testing.T) {
	a := openApp(t, storetest.SQLiteDSN(t))
	path := writeFile(t, "a.csv", []byte("email\na@x.org\n"))
	for _, typ := range []string{"", "bought-somewhere"} {
		_, err := a.Imports.Import(context.Background(), a.Workspace.ID, contact.ImportRequest{Path: path, Source: contact.Source{Type: typ}}, 0)
		if err == nil || !strings.Contains(err.Error(), "source") {
			t.Errorf("source type %q: err = %v", typ, err)
		}
	}
}

func TestImportDryRunStoresNothing(t *testing.T) {
	a := openApp(t, storetest.SQLiteDSN(t))
	path := writeFile(t, "a.csv", []byte("email\na@x.org\nnot-an-address\n"))
	sum := importFile(t, a, path, func(r *contact.ImportRequest) { r.DryRun = true })
	if sum.Rows != 2 || sum.Failed != 1 || !sum.DryRun || sum.ReportPath == "" {
		t.Fatalf("dry run: %+v", sum)
	}
	if n, _ := a.st.Contacts(context.Background(), a.Workspace.ID, store.ContactFilter{}); len(n) != 0 {
		t.Fatal("dry run stored contacts")
	}
	if _, err := a.Contacts.ListByName(context.Background(), a.Workspace.ID, "newsletter"); err == nil {
		t.Fatal("dry run created the list")
	}
}

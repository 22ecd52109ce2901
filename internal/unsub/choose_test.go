package unsub_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/unsub"
)

// TestPreferencesChoose: the page lists the workspace's marketing purposes with what is
// already stopped; a choice stops exactly the chosen purposes in one call (audited), again
// records nothing, and refuses a purpose the workspace does not mail for or none at all.
func TestPreferencesChoose(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "ann@example.com")
		ctx := visitor()
		tok := e.link(t, "newsletter")
		page, err := e.svc.Open(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range page.Purposes {
			names = append(names, p.Name)
			if p.Done || p.Description == "" {
				t.Errorf("before any choice: %+v", p)
			}
		}
		if !slices.Contains(names, "newsletter") || !slices.Contains(names, "surveys") || slices.Contains(names, "security-notices") {
			t.Fatalf("purposes offered: %v (marketing ones only)", names)
		}
		res, err := e.svc.Choose(ctx, tok, []string{"surveys", "product-updates", "surveys"}, "192.0.2.7", "Browser/1")
		if err != nil || !res.Recorded || strings.Join(res.Purposes, ",") != "product-updates,surveys" || res.Address != "a***@e***.com" {
			t.Fatalf("Choose = %+v, %v", res, err)
		}
		if !e.blocked(t, "ann@example.com", "surveys") || !e.blocked(t, "ann@example.com", "product-updates") || e.blocked(t, "ann@example.com", "newsletter") {
			t.Fatal("the choice did not stop exactly the chosen purposes")
		}
		entries, err := e.dnc.SuppressionsFor(ctx, e.ws, "email", "ann@example.com")
		if err != nil || len(entries) != 2 || !strings.Contains(entries[0].Note, "preferences page") || entries[0].Reason != "unsubscribe" {
			t.Fatalf("entries: %+v, %v", entries, err)
		}
		if n := len(suppressionAdds(t, e)); n != 2 {
			t.Fatalf("audit entries: %d, want 2", n)
		}
		page, _ = e.svc.Open(ctx, tok)
		for _, p := range page.Purposes {
			if p.Done != (p.Name == "surveys" || p.Name == "product-updates") {
				t.Errorf("after the choice: %+v", p)
			}
		}
		if res, err := e.svc.Choose(ctx, tok, []string{"surveys"}, "192.0.2.7", "Browser/1"); err != nil || res.Recorded {
			t.Fatalf("again: %+v, %v", res, err)
		}
		for _, bad := range [][]string{nil, {"security-notices"}, {"nope"}, {"newsletter", "nope"}} {
			if _, err := e.svc.Choose(ctx, tok, bad, "192.0.2.7", "Browser/1"); !errors.Is(err, unsub.ErrPurpose) {
				t.Errorf("Choose(%v) = %v, want ErrPurpose", bad, err)
			}
		}
		if e.blocked(t, "ann@example.com", "newsletter") {
			t.Fatal("a refused choice recorded something")
		}
		if _, err := e.svc.Choose(ctx, tok+"x", []string{"surveys"}, "", ""); !errors.Is(err, unsub.ErrLinkInvalid) {
			t.Fatalf("bad link: %v", err)
		}
	})
}

// suppressionAdds returns the workspace's suppression.add audit entries.
func suppressionAdds(t *testing.T, e *env) []audit.Entry {
	t.Helper()
	es, err := e.st.AuditEntries(context.Background(), e.ws, audit.Filter{Entity: "suppression", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Entry
	for _, x := range es {
		if x.Action == "suppression.add" {
			out = append(out, x)
		}
	}
	return out
}

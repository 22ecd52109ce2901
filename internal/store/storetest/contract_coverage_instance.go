package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/clearlist/clearlist/internal/store"
)

// testWorkspaceListings covers Workspaces and WorkspaceIDs: every workspace, by name and by
// id, a deleted one gone.
func testWorkspaceListings(t *testing.T, st *store.Store) {
	ctx := context.Background()
	before, err := st.Workspaces(ctx)
	if err != nil || len(before) == 0 {
		t.Fatalf("Workspaces of a new store = %v, %v; want at least the default workspace", before, err)
	}
	zed, err := st.CreateWorkspace(ctx, "zed")
	if err != nil {
		t.Fatal(err)
	}
	alpha, err := st.CreateWorkspace(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	all, err := st.Workspaces(ctx)
	if err != nil || len(all) != len(before)+2 {
		t.Fatalf("Workspaces = %v, %v", all, err)
	}
	if !slices.IsSortedFunc(all, func(a, b store.Workspace) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	}) {
		t.Fatalf("Workspaces not ordered by name: %v", all)
	}
	names := map[string]int64{}
	for _, w := range all {
		names[w.Name] = w.ID
		if w.CreatedAt.IsZero() {
			t.Fatalf("workspace %q without a creation time", w.Name)
		}
	}
	if names["zed"] != zed.ID || names["alpha"] != alpha.ID || names[store.DefaultWorkspace] == 0 {
		t.Fatalf("Workspaces = %v", all)
	}
	ids, err := st.WorkspaceIDs(ctx)
	if err != nil || len(ids) != len(all) || !slices.IsSorted(ids) || !slices.Contains(ids, zed.ID) || !slices.Contains(ids, alpha.ID) {
		t.Fatalf("WorkspaceIDs = %v, %v (workspaces %v)", ids, err, all)
	}
	if err := st.DeleteWorkspace(ctx, zed); err != nil {
		t.Fatal(err)
	}
	if ids, _ := st.WorkspaceIDs(ctx); slices.Contains(ids, zed.ID) || len(ids) != len(all)-1 {
		t.Fatalf("WorkspaceIDs after deleting one = %v", ids)
	}
	if all, _ := st.Workspaces(ctx); len(all) != len(before)+1 {
		t.Fatalf("Workspaces after deleting one = %v", all)
	}
}

// testSuppressionReads covers Suppression, EachSuppression and SuppressionWorkspaces.
func testSuppressionReads(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, other, quiet := ws(t, st, "supp-read"), ws(t, st, "supp-read-other"), ws(t, st, "supp-quiet")
	if ids, err := st.SuppressionWorkspaces(ctx); err != nil || len(ids) != 0 {
		t.Fatalf("SuppressionWorkspaces of a new store = %v, %v", ids, err)
	}
	added, _, err := st.AddSuppressions(ctx, w, []store.Suppression{
		supp("a@example.com", "", "manual"), supp("b@example.com", "email", "national-registry"), supp("c@example.com", "", "manual")}, "")
	if err != nil || len(added) != 3 {
		t.Fatalf("AddSuppressions = %v, %v", added, err)
	}
	theirs, _, err := st.AddSuppressions(ctx, other, []store.Suppression{supp("a@example.com", "", "manual")}, "")
	if err != nil || len(theirs) != 1 {
		t.Fatal(err)
	}
	if _, _, err := st.AddSuppressions(ctx, store.InstanceWorkspace, []store.Suppression{supp("i@example.com", "", "manual")}, ""); err != nil {
		t.Fatal(err)
	}

	// Suppression: one entry, in its own workspace only, removed ones too.
	e, err := st.Suppression(ctx, w, added[1].ID)
	if err != nil || e.ID != added[1].ID || e.WorkspaceID != w || e.Value != "b@example.com" || e.Reason != "national-registry" ||
		e.ScopeChannel != "email" || !slices.Equal(e.Hash, sha(t, "b@example.com")) || e.RemovedAt != nil {
		t.Fatalf("Suppression = %+v, %v", e, err)
	}
	if _, err := st.Suppression(ctx, other, added[1].ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Suppression from another workspace = %v, want ErrNotFound", err)
	}
	if _, err := st.Suppression(ctx, w, theirs[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Suppression of another workspace's entry = %v, want ErrNotFound", err)
	}
	if _, err := st.RemoveSuppression(ctx, w, added[2].ID, "carol", "typo", nil); err != nil {
		t.Fatal(err)
	}
	if e, err := st.Suppression(ctx, w, added[2].ID); err != nil || e.RemovedAt == nil || e.RemovedBy != "carol" || e.RemovedReason != "typo" {
		t.Fatalf("removed Suppression = %+v, %v", e, err)
	}

	// EachSuppression: filters, id order, cursor, limit, removed entries on request.
	each := func(f store.SuppressionFilter) []int64 {
		t.Helper()
		var ids []int64
		if err := st.EachSuppression(ctx, w, f, func(e store.Suppression) error {
			if e.WorkspaceID != w {
				t.Fatalf("EachSuppression returned workspace %d's entry", e.WorkspaceID)
			}
			ids = append(ids, e.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	for name, c := range map[string]struct {
		f    store.SuppressionFilter
		want []int64
	}{
		"active":        {store.SuppressionFilter{}, []int64{added[0].ID, added[1].ID}},
		"with removed":  {store.SuppressionFilter{IncludeRemoved: true}, []int64{added[0].ID, added[1].ID, added[2].ID}},
		"reason":        {store.SuppressionFilter{Reason: "manual", IncludeRemoved: true}, []int64{added[0].ID, added[2].ID}},
		"hash":          {store.SuppressionFilter{Hash: sha(t, "a@example.com")}, []int64{added[0].ID}},
		"kind":          {store.SuppressionFilter{Kind: "phone"}, nil},
		"after, limit":  {store.SuppressionFilter{IncludeRemoved: true, AfterID: added[0].ID, Limit: 1}, []int64{added[1].ID}},
		"late (none)":   {store.SuppressionFilter{LateOnly: true}, nil},
		"unknown value": {store.SuppressionFilter{Hash: sha(t, "nobody@example.com")}, nil},
	} {
		if got := each(c.f); !slices.Equal(got, c.want) {
			t.Errorf("EachSuppression %s = %v, want %v", name, got, c.want)
		}
	}
	stop := errors.New("stop")
	calls := 0
	if err := st.EachSuppression(ctx, w, store.SuppressionFilter{}, func(store.Suppression) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("EachSuppression with a failing callback = %v after %d calls", err, calls)
	}

	// SuppressionWorkspaces: those whose list ever changed, the instance-wide list included.
	ids, err := st.SuppressionWorkspaces(ctx)
	if err != nil || !slices.Equal(ids, []int64{store.InstanceWorkspace, w, other}) || slices.Contains(ids, quiet) {
		t.Fatalf("SuppressionWorkspaces = %v, %v; want [%d %d %d]", ids, err, store.InstanceWorkspace, w, other)
	}
}

// testSecretsWithoutKey covers HasSecretKey, Secrets, WrapSecrets and UnwrapSecrets on a store
// opened without a secret key (the contract's stores): the secrets are listed in clear,
// wrapping refuses and changes nothing, unwrapping has nothing to do. Wrapping with a key is
// tested on both engines by store.TestSecretKeyWrapsStoredKeys and TestUnwrapSecrets.
func testSecretsWithoutKey(t *testing.T, st *store.Store) {
	ctx := context.Background()
	if st.HasSecretKey() {
		t.Fatal("HasSecretKey on a store opened without a key")
	}
	w, other := ws(t, st, "secrets"), ws(t, st, "secrets-other")
	before, err := st.Secrets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SigningKey(ctx, w, "links"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SigningKey(ctx, other, "links"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.InstanceKey(ctx, "contract-test"); err != nil {
		t.Fatal(err)
	}
	hook, err := st.CreateWebhook(ctx, w, "https://example.com/hook")
	if err != nil {
		t.Fatal(err)
	}
	secs, err := st.Secrets(ctx)
	if err != nil || len(secs) != len(before)+4 {
		t.Fatalf("Secrets = %+v, %v; want 4 more than %d", secs, err, len(before))
	}
	found := map[string]bool{}
	for _, s := range secs {
		if s.Wrapped || s.KeyID != "" {
			t.Fatalf("secret %+v wrapped in a store without a key", s)
		}
		found[fmt.Sprintf("%s/%d/%s", s.Kind, s.Workspace, s.Name)] = true
	}
	for _, k := range []string{fmt.Sprintf("signing-key/%d/links", w), fmt.Sprintf("signing-key/%d/links", other),
		"instance-key/0/contract-test", fmt.Sprintf("webhook/%d/%d", w, hook.ID)} {
		if !found[k] {
			t.Errorf("Secrets does not list %s: %v", k, found)
		}
	}
	key, _ := st.SigningKey(ctx, w, "links")
	if n, err := st.WrapSecrets(ctx); err == nil || n != 0 {
		t.Fatalf("WrapSecrets without a key = %d, %v; want an error saying how to give one", n, err)
	}
	if n, err := st.UnwrapSecrets(ctx); err != nil || n != 0 {
		t.Fatalf("UnwrapSecrets with nothing wrapped = %d, %v", n, err)
	}
	if again, _ := st.SigningKey(ctx, w, "links"); !slices.Equal(again, key) {
		t.Fatal("a refused WrapSecrets changed a stored key")
	}
}

// testBulkYardstick covers PlainBulkInsert (the import benchmark's yardstick) and
// ImportWriters: every row is loaded, across batch boundaries; the scratch table is dropped
// after, even when the row source fails, so the next run starts clean.
func testBulkYardstick(t *testing.T, st *store.Store) {
	ctx := context.Background()
	want := 1
	if st.Dialect() == store.Postgres {
		want = 2
	}
	if n := st.ImportWriters(); n != want {
		t.Fatalf("ImportWriters on %s = %d, want %d", st.Dialect(), n, want)
	}
	rows := func(n int, fail error) func() ([]any, error) {
		i := 0
		return func() ([]any, error) {
			if i == n {
				return nil, fail
			}
			i++
			return []any{fmt.Sprint(i), "x@example.com", "ACME"}, nil
		}
	}
	for _, n := range []int{0, 1, 450, store.DefaultBatchRows + 7} {
		got, err := st.PlainBulkInsert(ctx, 3, rows(n, nil))
		if err != nil || got != n {
			t.Fatalf("PlainBulkInsert of %d rows = %d, %v", n, got, err)
		}
	}
	broken := errors.New("source broke")
	if _, err := st.PlainBulkInsert(ctx, 3, rows(300, broken)); !errors.Is(err, broken) {
		t.Fatalf("PlainBulkInsert with a failing source = %v, want its error", err)
	}
	if got, err := st.PlainBulkInsert(ctx, 2, func() ([]any, error) { return nil, nil }); err != nil || got != 0 {
		t.Fatalf("PlainBulkInsert after a failure = %d, %v; the scratch table was left behind", got, err)
	}
}

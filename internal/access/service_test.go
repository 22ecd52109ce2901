package access_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestTokenService creates, authenticates, lists and revokes tokens on both engines; a token
// revoked through the service stops working at once in its process, and another workspace's
// token cannot be revoked.
func TestTokenService(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		ws, err := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
		if err != nil {
			t.Fatal(err)
		}
		other, err := st.CreateWorkspace(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		svc := access.New(st)
		if _, _, err := svc.Create(ctx, ws.ID, "crm", "root"); err == nil || !strings.Contains(err.Error(), "use one of") {
			t.Fatalf("unknown role: %v", err)
		}
		if _, _, err := svc.Create(ctx, ws.ID, " ", access.RoleAgent); err == nil {
			t.Fatal("a token without a name was created")
		}
		tok, secret, err := svc.Create(ctx, ws.ID, "dialer", access.RoleAgent)
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.Authenticate(ctx, secret)
		if err != nil || got.ID != tok.ID || got.Role != access.RoleAgent || got.WorkspaceID != ws.ID {
			t.Fatalf("authenticate: %+v, %v", got, err)
		}
		if _, err := svc.Authenticate(ctx, "clt_made-up"); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("made-up secret: %v", err)
		}
		list, err := svc.List(ctx, ws.ID)
		if err != nil || len(list) != 1 || list[0].Name != "dialer" {
			t.Fatalf("list: %+v, %v", list, err)
		}
		if err := svc.Revoke(ctx, other.ID, tok.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("revoke from another workspace: %v", err)
		}
		if err := svc.Revoke(ctx, ws.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, secret); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("revoked token still accepted (cached): %v", err)
		}
		if err := svc.Revoke(ctx, ws.ID, tok.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("second revoke: %v", err)
		}
	})
}

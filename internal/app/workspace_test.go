package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/workspace"
)

// TestOpenUnknownWorkspace: Open never creates a workspace; the error says how to.
func TestOpenUnknownWorkspace(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		openApp(t, dsn) // the default workspace exists on a fresh database
		_, err := Open(ctx, config.Config{DB: dsn, Workspace: "acme", LogLevel: "error"})
		if !errors.Is(err, workspace.ErrNoWorkspace) || !strings.Contains(err.Error(), "clearlist workspace create acme") ||
			!strings.Contains(err.Error(), "existing: default") {
			t.Fatalf("Open(unknown) = %v", err)
		}
		inst, err := OpenInstance(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer inst.Close()
		if all, _ := inst.Workspaces.List(ctx); len(all) != 1 {
			t.Fatalf("Open created a workspace: %+v", all)
		}
		if _, err := Open(ctx, config.Config{DB: dsn, Workspace: "../../etc", LogLevel: "error"}); err == nil ||
			!strings.Contains(err.Error(), "lower-case letters") {
			t.Fatalf("Open(../../etc) = %v", err)
		}
	})
}

// TestPublicLookupNeedsValidName: the public pages never select a workspace by a name that
// is not a slug, even one stored before names were checked.
func TestPublicLookupNeedsValidName(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		e := newDOIEnv(t, dsn, 0)
		ctx := context.Background()
		const legacy = "<script>"
		w, err := e.a.st.EnsureWorkspace(ctx, legacy)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.doi.Form(ctx, legacy, ""); !errors.Is(err, signup.ErrNoWorkspace) {
			t.Errorf("Form(%q) = %v, want ErrNoWorkspace", legacy, err)
		}
		// The stop form answers an unknown workspace as it answers any other, and records nothing.
		if err := e.a.Suppressions.PublicStop(ctx, legacy, "a@example.com", "192.0.2.1", "test"); err != nil {
			t.Errorf("PublicStop(%q) = %v, want the plain answer", legacy, err)
		}
		if got, err := e.a.Suppressions.Entries(ctx, w.ID, suppress.Filter{IncludeRemoved: true}); err != nil || len(got) != 0 {
			t.Errorf("PublicStop(%q) recorded %d entries (%v) in a workspace whose name is not a slug", legacy, len(got), err)
		}
	})
}

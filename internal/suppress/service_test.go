package suppress_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
)

// TestServiceAcrossProcesses: two services on one database stand for two processes. A write
// through one is in its own index at once; the other sees it at its next refresh, and at once
// in a fresh (bulk) screen.
func TestServiceAcrossProcesses(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, err := st.EnsureWorkspace(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		one := suppress.New(st, suppress.Options{}, nil)
		two := suppress.New(st, suppress.Options{}, nil)
		blocked := func(s *suppress.Service, value string) bool {
			t.Helper()
			ans, err := s.CheckSuppressed(ctx, w.ID, "", value, "email", "")
			if err != nil {
				t.Fatal(err)
			}
			return !ans.Contactable
		}
		if blocked(two, "ann@example.org") { // loads two's index before the write
			t.Fatal("blocked before any entry")
		}
		if _, _, err := one.Suppress(ctx, w.ID, []suppress.Intake{{Value: "Ann@Example.org", Reason: "unsubscribe", By: "test"}}); err != nil {
			t.Fatal(err)
		}
		if !blocked(one, "ann@example.org") {
			t.Fatal("the writing process does not block its own entry")
		}
		scr, err := two.Screen(ctx, w.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if !scr.BlocksContact("ann@example.org", "", "email", "") {
			t.Fatal("a fresh screen misses another process's entry")
		}
		rctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); two.KeepCurrent(rctx, 10*time.Millisecond) }()
		defer stop()
		if _, _, err := one.Suppress(ctx, w.ID, []suppress.Intake{{Value: "bob@example.org", Reason: "manual", By: "test"}}); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(5 * time.Second); !blocked(two, "bob@example.org"); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the refresher never caught up with another process's entry")
			}
		}
		stop()
		<-done // the refresher holds a list's lock while it catches up; metrics skip it then
		reg := prometheus.NewRegistry()
		reg.MustRegister(two.Metrics())
		families, err := reg.Gather()
		if err != nil || len(families) != 2 || len(families[0].GetMetric()) != 2 {
			t.Fatalf("metrics: %v, %v; want two families with the workspace's and the instance's index", families, err)
		}
	})
}

// TestServiceSuppressedAndPublicStop: the double opt-in guard treats an unreadable address as
// blocked and asks for every purpose ("" too: an entry for one purpose blocks it); the public form refuses domains and answers an unknown
// workspace as a known one, recording nothing.
func TestServiceSuppressedAndPublicStop(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, err := st.EnsureWorkspace(ctx, "shop")
		if err != nil {
			t.Fatal(err)
		}
		s := suppress.New(st, suppress.Options{}, nil)
		if _, _, err := s.Suppress(ctx, w.ID, []suppress.Intake{{Value: "news@example.org", Scope: "purpose:newsletter", Reason: "unsubscribe", By: "test"}}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			value    string
			purposes []string
			want     bool
		}{{"news@example.org", nil, true}, {"news@example.org", []string{"offers", "newsletter"}, true},
			{"not an address", nil, true}, {"open@example.org", []string{"newsletter"}, false}} {
			got, err := s.Suppressed(ctx, w.ID, "email", c.value, "email", c.purposes)
			if err != nil || got != c.want {
				t.Errorf("Suppressed(%q, %v) = %v, %v; want %v", c.value, c.purposes, got, err, c.want)
			}
		}
		if err := s.PublicStop(ctx, "shop", "gmail.com", "192.0.2.1", "ua"); !errors.Is(err, suppress.ErrInvalid) {
			t.Fatalf("a domain from the public form: %v", err)
		}
		if err := s.PublicStop(ctx, "no-such-shop", "me@example.org", "192.0.2.1", "ua"); err != nil {
			t.Fatalf("unknown workspace: %v", err)
		}
		if err := s.PublicStop(ctx, "shop", "me@example.org", "192.0.2.1", "ua"); err != nil {
			t.Fatal(err)
		}
		got, err := s.SuppressionsFor(ctx, w.ID, "", "me@example.org")
		if err != nil || len(got) != 1 || got[0].Reason != string(suppress.ReasonRequestWeb) || got[0].RecordedBy != "public-form" {
			t.Fatalf("public stop recorded %+v, %v", got, err)
		}
	})
}

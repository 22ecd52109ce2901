package signup_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestSubscribeTwoServers: two servers (each with its own per-address limit) taking the
// same new address at the same moment record one contact with a sign-up from each, every
// sign-up whole (its source, contact and entries written together).
func TestSubscribeTwoServers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, err := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateList(ctx, contact.List{WorkspaceID: w.ID, Name: "news", Public: true}); err != nil {
			t.Fatal(err)
		}
		ps, err := st.Purposes(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		form := signup.FormVersion(ps)
		servers := make([]*signup.Service, 2)
		for i := range servers {
			servers[i] = signup.New(st, nil)
			servers[i].Sender, servers[i].From = &deliver.Outbox{Dir: t.TempDir()}, "lists@example.com"
			servers[i].PublicURL = "http://lists.example"
		}
		for round := range 8 {
			email := fmt.Sprintf("pair%d@example.com", round)
			var wg sync.WaitGroup
			errs := make([]error, len(servers))
			for i, s := range servers {
				wg.Go(func() {
					errs[i] = s.Subscribe(ctx, signup.Submission{Workspace: w.Name, Request: signup.Request{Email: email,
						Shown: []string{"newsletter"}, Ticked: []string{"newsletter"}, PrecheckedSet: true,
						FormID: signup.FormID, FormVersion: form, Wording: map[string]string{"newsletter": "Yes"}, List: "news"}})
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("round %d, server %d: %v", round, i, err)
				}
			}
			c, err := st.ContactByEmail(ctx, w.ID, email)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			open, err := st.OpenSignups(ctx, w.ID, c.ID, c.CreatedAt)
			if err != nil || len(open) == 0 {
				t.Fatalf("round %d: open sign-ups %+v, %v", round, open, err)
			}
			for _, sg := range open {
				if sg.ContactID != c.ID || sg.SourceID == 0 {
					t.Fatalf("round %d: sign-up %+v", round, sg)
				}
			}
		}
	})
}

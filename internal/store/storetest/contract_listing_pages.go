package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testListingPages: the lists and templates listings page by name (the last name of a page
// is the next one's cursor), a list with its member count, and never across workspaces.
func testListingPages(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, other := ws(t, st, "listing-pages"), ws(t, st, "listing-pages-other")
	src := source(t, st, w)
	now := time.Now().UTC().Truncate(time.Second)
	for _, name := range []string{"delta", "alpha", "echo", "charlie", "bravo"} {
		l, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if name == "charlie" {
			writeBatch(t, st, contact.Batch{WorkspaceID: w, SourceID: src.ID, ListID: l.ID, Rows: rows(3, nil)})
		}
		if _, err := st.CreateTemplate(ctx, campaign.Template{WorkspaceID: w, Name: name,
			Content: campaign.Content{Subject: "Hi", Text: "Hello"}, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CreateList(ctx, contact.List{WorkspaceID: other, Name: "bravo2"}); err != nil {
		t.Fatal(err)
	}
	var lists []string
	var members int64
	for after, pages := "", 0; ; pages++ {
		page, err := st.ListsPage(ctx, w, after, 2)
		if err != nil || len(page) > 2 || pages > 3 {
			t.Fatalf("lists page after %q: %+v, %v", after, page, err)
		}
		if len(page) == 0 {
			break
		}
		for _, l := range page {
			lists = append(lists, l.Name)
			if l.Name == "charlie" {
				members = l.Members
			}
		}
		after = page[len(page)-1].Name
	}
	if want := "alpha bravo charlie delta echo"; strings.Join(lists, " ") != want || members != 3 {
		t.Fatalf("lists by pages: %q (charlie has %d members); want %q, 3 members", strings.Join(lists, " "), members, want)
	}
	var templates []string
	for after, pages := "", 0; ; pages++ {
		page, err := st.TemplatesPage(ctx, w, after, 3)
		if err != nil || len(page) > 3 || pages > 2 {
			t.Fatalf("templates page after %q: %+v, %v", after, page, err)
		}
		if len(page) == 0 {
			break
		}
		for _, tp := range page {
			templates = append(templates, tp.Name)
		}
		after = page[len(page)-1].Name
	}
	if want := "alpha bravo charlie delta echo"; strings.Join(templates, " ") != want {
		t.Fatalf("templates by pages: %q; want %q", strings.Join(templates, " "), want)
	}
	if got, err := st.ListsPage(ctx, other, "", 10); err != nil || len(got) != 1 || got[0].Name != "bravo2" {
		t.Fatalf("the other workspace's lists: %+v, %v", got, err)
	}
	if got, err := st.TemplatesPage(ctx, other, "", 10); err != nil || len(got) != 0 {
		t.Fatalf("the other workspace sees templates: %+v, %v", got, err)
	}
}

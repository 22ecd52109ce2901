package contact_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// serviceEnv is a contact service over a real store, with a workspace, a list "news" and a
// declared attribute "birthday".
func serviceEnv(t *testing.T, st *store.Store) (*contact.Service, int64) {
	t.Helper()
	ctx := context.Background()
	w, err := st.EnsureWorkspace(ctx, "contacts")
	if err != nil {
		t.Fatal(err)
	}
	svc := contact.New(st, "DE")
	if _, err := svc.CreateList(ctx, w.ID, " news ", "", false); err != nil {
		t.Fatal(err)
	}
	if err := svc.AddAttribute(ctx, w.ID, contact.Attribute{Name: "birthday", Type: contact.AttrDate, Purpose: "greetings"}); err != nil {
		t.Fatal(err)
	}
	return svc, w.ID
}

func apiSource() contact.Provenance {
	return contact.Provenance{Source: &contact.Source{Type: "api", Description: " inline "}}
}

// TestServiceCreate: a new contact is checked field by field (each refusal names its field),
// stored with its source and lists, and a refused or duplicate write leaves no source behind.
func TestServiceCreate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, ws := serviceEnv(t, st)
		c, err := svc.Create(ctx, ws, contact.NewContact{Email: "Ada@Example.com", Phone: "030 1234567",
			Attributes: map[string]any{"birthday": "1990-12-31"}, Lists: []string{"news"}, Provenance: apiSource()})
		if err != nil || c.EmailCanonical != "ada@example.com" || c.Phone != "+49301234567" || c.Status != contact.StatusActive {
			t.Fatalf("Create = %+v, %v", c, err)
		}
		if lists, _ := svc.Memberships(ctx, ws, c.ID); len(lists) != 1 || lists[0].Name != "news" {
			t.Errorf("memberships = %+v", lists)
		}
		if srcs, _ := svc.ContactSources(ctx, ws, c.ID); len(srcs) != 1 || srcs[0].Description != "inline" {
			t.Errorf("sources = %+v", srcs)
		}

		for _, tc := range []struct {
			name  string
			in    contact.NewContact
			field string
		}{
			{"bad email", contact.NewContact{Email: "nope", Provenance: apiSource()}, "email"},
			{"bad phone", contact.NewContact{Email: "b@example.com", Phone: "12", Provenance: apiSource()}, "phone"},
			{"bad status", contact.NewContact{Email: "b@example.com", Status: "maybe", Provenance: apiSource()}, "status"},
			{"undeclared attribute", contact.NewContact{Email: "b@example.com", Attributes: map[string]any{"shoe": 1.0}, Provenance: apiSource()}, "attributes.shoe"},
			{"bad attribute", contact.NewContact{Email: "b@example.com", Attributes: map[string]any{"birthday": "31.12."}, Provenance: apiSource()}, "attributes.birthday"},
			{"no source", contact.NewContact{Email: "b@example.com"}, "source"},
			{"both sources", contact.NewContact{Email: "b@example.com", Provenance: contact.Provenance{SourceID: c.FirstSourceID, Source: &contact.Source{Type: "api"}}}, "source"},
			{"unknown source", contact.NewContact{Email: "b@example.com", Provenance: contact.Provenance{SourceID: 99999}}, "source_id"},
			{"unknown source type", contact.NewContact{Email: "b@example.com", Provenance: contact.Provenance{Source: &contact.Source{Type: "scraped"}}}, "source.source_type"},
			{"unknown list", contact.NewContact{Email: "b@example.com", Lists: []string{"news", "nope"}, Provenance: apiSource()}, "lists[1]"},
		} {
			var in *contact.InputError
			if _, err := svc.Create(ctx, ws, tc.in); !errors.As(err, &in) || in.Field != tc.field {
				t.Errorf("%s: Create = %v, want an InputError for %s", tc.name, err, tc.field)
			}
		}
		var dup *contact.DuplicateError
		_, err = svc.Create(ctx, ws, contact.NewContact{Email: "ADA@example.com", Provenance: apiSource()})
		if !errors.As(err, &dup) || dup.ExistingID != c.ID || !errors.Is(err, errs.ErrConflict) {
			t.Errorf("duplicate Create = %v, want a DuplicateError naming %d", err, c.ID)
		}
		if srcs, _ := svc.Sources(ctx, ws, 0, 100); len(srcs) != 1 {
			t.Errorf("%d sources after refused writes, want 1: a refused write left its source behind", len(srcs))
		}
	})
}

// TestServiceUpdate: fields not given stay; lists need a source; lifting a do-not-contact
// status needs an author who may overrule the person, and a reason, which is recorded.
func TestServiceUpdate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, ws := serviceEnv(t, st)
		c, err := svc.Create(ctx, ws, contact.NewContact{Email: "u@example.com", Status: "unsubscribed",
			Attributes: map[string]any{"birthday": "2000-01-02"}, Provenance: apiSource()})
		if err != nil {
			t.Fatal(err)
		}
		phone := "+4930999"
		got, err := svc.Update(ctx, ws, c.ID, contact.Change{Phone: &phone}, contact.Author{By: "ann"})
		if err != nil || got.Phone != "+4930999" || got.Status != contact.StatusUnsubscribed || got.Attrs["birthday"] != "2000-01-02" {
			t.Fatalf("Update (phone) = %+v, %v", got, err)
		}
		var in *contact.InputError
		if _, err := svc.Update(ctx, ws, c.ID, contact.Change{Lists: []string{"news"}}, contact.Author{}); !errors.As(err, &in) || in.Field != "lists" {
			t.Errorf("lists without a source = %v", err)
		}
		active := "active"
		if _, err := svc.Update(ctx, ws, c.ID, contact.Change{Status: &active, StatusReason: "asked"}, contact.Author{By: "m"}); !errors.Is(err, contact.ErrStatusLift) {
			t.Errorf("lift without the right = %v, want ErrStatusLift", err)
		}
		_, err = svc.Update(ctx, ws, c.ID, contact.Change{Status: &active, Provenance: apiSource()}, contact.Author{By: "c", MayOverrule: true})
		if !errors.As(err, &in) || in.Field != "status_reason" || !errors.Is(err, contact.ErrStatusReason) {
			t.Errorf("lift without a reason = %v, want an InputError for status_reason", err)
		}
		if srcs, _ := svc.Sources(ctx, ws, 0, 100); len(srcs) != 1 {
			t.Errorf("%d sources after refused updates, want 1", len(srcs))
		}
		got, err = svc.Update(ctx, ws, c.ID, contact.Change{Status: &active, StatusReason: " re-subscribed by phone ",
			Lists: []string{"news"}, Provenance: apiSource()}, contact.Author{By: "c", MayOverrule: true})
		if err != nil || got.Status != contact.StatusActive {
			t.Fatalf("lift = %+v, %v", got, err)
		}
		ch, err := svc.StatusChanges(ctx, ws, c.ID)
		if err != nil || len(ch) != 1 || ch[0].By != "c" || ch[0].Reason != "re-subscribed by phone" {
			t.Errorf("status changes = %+v, %v", ch, err)
		}
		if _, err := svc.StatusChanges(ctx, ws, c.ID+100); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("status changes of no contact = %v, want ErrNotFound", err)
		}
		if _, err := svc.Update(ctx, ws, c.ID+100, contact.Change{Phone: &phone}, contact.Author{}); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("update of no contact = %v, want ErrNotFound", err)
		}

		// Deleting a do-not-contact contact is for who may overrule the person.
		blocked := "blocked"
		if _, err := svc.Update(ctx, ws, c.ID, contact.Change{Status: &blocked}, contact.Author{By: "c"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Delete(ctx, ws, c.ID, contact.Author{}); !errors.Is(err, contact.ErrStatusLift) {
			t.Errorf("delete of a blocked contact without the right = %v", err)
		}
		if err := svc.Delete(ctx, ws, c.ID, contact.Author{MayOverrule: true}); err != nil {
			t.Errorf("delete = %v", err)
		}
	})
}

// TestServiceLists: names are trimmed and must be unused; the CLI and the API share these rules.
func TestServiceLists(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, ws := serviceEnv(t, st)
		var in *contact.InputError
		if _, err := svc.CreateList(ctx, ws, "   ", "", false); !errors.As(err, &in) || in.Field != "name" {
			t.Errorf("blank name = %v", err)
		}
		_, err := svc.CreateList(ctx, ws, "news", "", false)
		if !errors.Is(err, errs.ErrConflict) || !strings.Contains(err.Error(), "choose another name") {
			t.Errorf("taken name = %v", err)
		}
		l, err := svc.ListByName(ctx, ws, "news ")
		if err != nil {
			t.Fatal(err)
		}
		if l, err = svc.SetListPublic(ctx, ws, l.ID, true); err != nil || !l.Public {
			t.Errorf("SetListPublic = %+v, %v", l, err)
		}
		if all, err := svc.Lists(ctx, ws); err != nil || len(all) != 1 || all[0].Members != 0 || !all[0].Public {
			t.Errorf("Lists = %+v, %v", all, err)
		}
		if got, err := svc.EnsureList(ctx, ws, "news"); err != nil || got.ID != l.ID {
			t.Errorf("EnsureList of an existing list = %+v, %v; want list %d", got, err, l.ID)
		}
		if got, err := svc.EnsureList(ctx, ws, " fair 2026 "); err != nil || got.Name != "fair 2026" || got.Public {
			t.Errorf("EnsureList of a new list = %+v, %v", got, err)
		}
		if _, err := svc.EnsureList(ctx, ws, " "); !errors.As(err, &in) {
			t.Errorf("EnsureList of a blank name = %v, want an InputError", err)
		}
		if err := svc.DeleteList(ctx, ws, l.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.List(ctx, ws, l.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("deleted list = %v", err)
		}
		if err := svc.AddAttribute(ctx, ws, contact.Attribute{Name: "shoe", Type: contact.AttrNumber}); err == nil {
			t.Error("an attribute without a purpose was declared")
		}
		if err := svc.RemoveAttribute(ctx, ws, "birthday"); err != nil {
			t.Fatal(err)
		}
		if attrs, _ := svc.Attributes(ctx, ws); len(attrs) != 0 {
			t.Errorf("attributes after removal = %+v", attrs)
		}
		if _, err := svc.CreateSource(ctx, ws, contact.Source{Type: "nope"}); !errors.As(err, &in) || in.Field != "source_type" {
			t.Errorf("CreateSource with an unknown type = %v", err)
		}
	})
}

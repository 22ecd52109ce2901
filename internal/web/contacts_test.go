package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/store"
)

// apiSource is an inline source for contact writes.
var apiSource = map[string]any{"source_type": "api", "description": "test integration"}

func TestContactLifecycle(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := t.Context()
		for _, a := range []contact.Attribute{{Name: "first_name", Type: contact.AttrText, Purpose: "greeting"}, {Name: "score", Type: contact.AttrNumber, Purpose: "ranking"}} {
			if err := st.AddAttribute(ctx, e.ws, a); err != nil {
				t.Fatal(err)
			}
		}
		want(t, e.do("POST", "/api/v1/lists", map[string]any{"name": "newsletter"}), http.StatusCreated)
		want(t, e.do("POST", "/api/v1/lists", map[string]any{"name": "events", "description": "event invitations"}), http.StatusCreated)

		r := e.do("POST", "/api/v1/contacts", map[string]any{
			"email": " Ada@Example.COM ", "phone": "030 1234567", "attributes": map[string]any{"first_name": "Ada", "score": 7},
			"lists": []string{"newsletter"}, "source": apiSource,
		})
		want(t, r, http.StatusCreated)
		c := r.json(t)
		id := int64(c["id"].(float64))
		if loc := r.header.Get("Location"); loc != fmt.Sprintf("/api/v1/contacts/%d", id) {
			t.Errorf("Location = %q", loc)
		}
		if c["email"] != "Ada@Example.COM" || c["email_canonical"] != "ada@example.com" || c["phone"] != "+49301234567" || c["status"] != "active" {
			t.Errorf("created contact = %v", c)
		}
		if a := c["attributes"].(map[string]any); a["first_name"] != "Ada" || a["score"] != 7.0 {
			t.Errorf("attributes = %v", a)
		}
		if l := c["lists"].([]any); len(l) != 1 || l[0].(map[string]any)["name"] != "newsletter" {
			t.Errorf("lists = %v", l)
		}
		srcs := c["sources"].([]any)
		if len(srcs) != 1 || srcs[0].(map[string]any)["source_type"] != "api" {
			t.Fatalf("sources = %v", srcs)
		}
		firstSource := srcs[0].(map[string]any)["id"].(float64)

		r = e.do("GET", fmt.Sprintf("/api/v1/contacts/%d", id), nil)
		want(t, r, http.StatusOK)
		if got := r.json(t); got["email_canonical"] != "ada@example.com" || len(got["sources"].([]any)) != 1 {
			t.Errorf("GET = %v", got)
		}

		// A second source and a list, with a partial change: status, one attribute changed,
		// one removed, phone removed, e-mail untouched.
		r = e.do("POST", "/api/v1/sources", map[string]any{"source_type": "web-form-double-opt-in", "evidence": map[string]string{"form": "v2"}})
		want(t, r, http.StatusCreated)
		src2 := r.json(t)["id"].(float64)
		r = e.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d", id), map[string]any{
			"status": "unsubscribed", "phone": "", "attributes": map[string]any{"first_name": "Ada L.", "score": nil},
			"lists": []string{"events"}, "source_id": src2,
		})
		want(t, r, http.StatusOK)
		c = r.json(t)
		if c["status"] != "unsubscribed" || c["phone"] != nil || c["email_canonical"] != "ada@example.com" {
			t.Errorf("patched contact = %v", c)
		}
		if a := c["attributes"].(map[string]any); len(a) != 1 || a["first_name"] != "Ada L." {
			t.Errorf("patched attributes = %v", a)
		}
		if l := c["lists"].([]any); len(l) != 2 {
			t.Errorf("patched lists = %v", l)
		}
		if s := c["sources"].([]any); len(s) != 2 || s[0].(map[string]any)["id"] != firstSource {
			t.Errorf("patched sources = %v", s)
		}
		// Without provenance a list cannot be added.
		want(t, e.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d", id), map[string]any{"lists": []string{"events"}}), http.StatusUnprocessableEntity)
		// A new e-mail address.
		r = e.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d", id), map[string]any{"email": "ada@lovelace.example"})
		want(t, r, http.StatusOK)
		if r.json(t)["email_canonical"] != "ada@lovelace.example" {
			t.Errorf("e-mail not changed: %s", short(r.body))
		}

		want(t, e.do("DELETE", fmt.Sprintf("/api/v1/contacts/%d", id), nil), http.StatusNoContent)
		want(t, e.do("GET", fmt.Sprintf("/api/v1/contacts/%d", id), nil), http.StatusNotFound)
		want(t, e.do("DELETE", fmt.Sprintf("/api/v1/contacts/%d", id), nil), http.StatusNotFound)
		want(t, e.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d", id), map[string]any{"status": "active"}), http.StatusNotFound)
	})
}

func TestContactValidation(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		if err := st.AddAttribute(t.Context(), e.ws, contact.Attribute{Name: "birthday", Type: contact.AttrDate, Purpose: "greetings"}); err != nil {
			t.Fatal(err)
		}
		r := e.do("POST", "/api/v1/contacts", map[string]any{"email": "taken@example.com", "source": apiSource})
		want(t, r, http.StatusCreated)
		takenID := r.json(t)["id"].(float64)

		tests := []struct {
			name   string
			body   any
			status int
			says   string // a part of the message that tells what to fix
		}{
			{"no provenance", map[string]any{"email": "a@example.com"}, 422, "source_id"},
			{"both provenances", map[string]any{"email": "a@example.com", "source_id": 1, "source": apiSource}, 422, "not both"},
			{"unknown source_id", map[string]any{"email": "a@example.com", "source_id": 99999}, 422, "does not exist"},
			{"unknown source type", map[string]any{"email": "a@example.com", "source": map[string]any{"source_type": "scraped"}}, 422, "use one of"},
			{"undeclared attribute", map[string]any{"email": "a@example.com", "source": apiSource, "attributes": map[string]any{"shoe_size": 44}}, 422, "shoe_size\\\" is not declared"},
			{"bad attribute value", map[string]any{"email": "a@example.com", "source": apiSource, "attributes": map[string]any{"birthday": "31.12.1990"}}, 422, "YYYY-MM-DD"},
			{"object attribute", map[string]any{"email": "a@example.com", "source": apiSource, "attributes": map[string]any{"birthday": map[string]any{}}}, 422, "not an object"},
			{"bad email", map[string]any{"email": "not-an-address", "source": apiSource}, 422, "no @"},
			{"missing email", map[string]any{"source": apiSource}, 422, "email"},
			{"bad phone", map[string]any{"email": "a@example.com", "phone": "12", "source": apiSource}, 422, "phone"},
			{"bad status", map[string]any{"email": "a@example.com", "status": "maybe", "source": apiSource}, 422, "use active"},
			{"unknown list", map[string]any{"email": "a@example.com", "lists": []string{"nope"}, "source": apiSource}, 422, "POST /api/v1/lists"},
			{"unknown field", map[string]any{"email": "a@example.com", "source": apiSource, "colour": "red"}, 422, "colour"},
			{"duplicate", map[string]any{"email": "TAKEN@example.com", "source": apiSource}, 409, fmt.Sprintf("contact %d", int64(takenID))},
			{"bad JSON", `{"email": `, 400, ""},
			{"huge body", `{"email": "` + strings.Repeat("a", 2<<20) + `@example.com"}`, 413, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do("POST", "/api/v1/contacts", tt.body)
				want(t, r, tt.status)
				if !strings.Contains(string(r.body), tt.says) {
					t.Errorf("answer does not say %q: %s", tt.says, short(r.body))
				}
				if ct := r.header.Get("Content-Type"); !strings.Contains(ct, "json") {
					t.Errorf("Content-Type = %q", ct)
				}
			})
		}
		// The 409 carries the existing id as data too; no failed write left a source behind.
		r = e.do("POST", "/api/v1/contacts", map[string]any{"email": "taken@example.com", "source": apiSource})
		if errs := r.json(t)["errors"].([]any); errs[0].(map[string]any)["value"] != takenID {
			t.Errorf("409 errors = %v", errs)
		}
		r = e.do("GET", "/api/v1/sources", nil)
		if items := r.json(t)["items"].([]any); len(items) != 1 {
			t.Errorf("%d sources after failed writes, want 1", len(items))
		}
		// PATCH to another contact's address conflicts as well.
		r = e.do("POST", "/api/v1/contacts", map[string]any{"email": "other@example.com", "source": apiSource})
		want(t, r, http.StatusCreated)
		other := r.json(t)["id"].(float64)
		want(t, e.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d", int64(other)), map[string]any{"email": "Taken@Example.com"}), http.StatusConflict)
	})
}

func TestContactPaging(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := t.Context()
		src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: e.ws, Type: "api"})
		if err != nil {
			t.Fatal(err)
		}
		list, err := st.CreateList(ctx, contact.List{WorkspaceID: e.ws, Name: "odd"})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 250 {
			c := contact.Contact{WorkspaceID: e.ws, Email: fmt.Sprintf("p%03d@example.com", i), FirstSourceID: src.ID, Status: contact.StatusActive}
			c.EmailCanonical = c.Email
			var lists []int64
			if i%2 == 1 {
				lists = []int64{list.ID}
			}
			if i%5 == 0 {
				c.Status = contact.StatusUnsubscribed
			}
			if _, err := st.CreateContact(ctx, c, lists); err != nil {
				t.Fatal(err)
			}
		}
		collect := func(query string) (emails []string, pages int) {
			t.Helper()
			cursor := ""
			for {
				q := query
				if cursor != "" {
					q += "&cursor=" + cursor
				}
				r := e.do("GET", "/api/v1/contacts?"+q, nil)
				want(t, r, http.StatusOK)
				v := r.json(t)
				pages++
				for _, it := range v["items"].([]any) {
					emails = append(emails, it.(map[string]any)["email"].(string))
				}
				next, _ := v["next_cursor"].(string)
				if next == "" {
					return emails, pages
				}
				cursor = next
			}
		}
		all, pages := collect("limit=100")
		if len(all) != 250 || pages != 3 {
			t.Fatalf("got %d contacts in %d pages, want 250 in 3", len(all), pages)
		}
		for i, em := range all {
			if em != fmt.Sprintf("p%03d@example.com", i) {
				t.Fatalf("item %d = %s: pages overlap or skip", i, em)
			}
		}
		if got, _ := collect(""); len(got) != 250 {
			t.Errorf("default page size: %d contacts", len(got))
		}
		if got, _ := collect("list=odd&limit=50"); len(got) != 125 {
			t.Errorf("list=odd: %d contacts, want 125", len(got))
		}
		if got, _ := collect(fmt.Sprintf("list_id=%d&status=unsubscribed", list.ID)); len(got) != 25 {
			t.Errorf("list_id & status: %d contacts, want 25", len(got))
		}
		if got, _ := collect("status=unsubscribed&limit=7"); len(got) != 50 {
			t.Errorf("status=unsubscribed: %d contacts, want 50", len(got))
		}
		for q, status := range map[string]int{
			"cursor=!!!":          400,
			"cursor=bm90LWFuLWlk": 400, // "not-an-id"
			"limit=1001":          422,
			"limit=0":             422,
			"status=sleeping":     422,
			"list=missing":        404,
			"list_id=99999":       404,
			"list=odd&list_id=1":  400,
		} {
			if r := e.do("GET", "/api/v1/contacts?"+q, nil); r.status != status {
				t.Errorf("%s: status %d, want %d: %s", q, r.status, status, short(r.body))
			}
		}
	})
}

func TestWorkspaceIsolation(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		a := newEnv(t, st)
		r := a.do("POST", "/api/v1/lists", map[string]any{"name": "a-list"})
		want(t, r, http.StatusCreated)
		listID := r.json(t)["id"].(float64)
		r = a.do("POST", "/api/v1/contacts", map[string]any{"email": "secret@example.com", "source": apiSource, "lists": []string{"a-list"}})
		want(t, r, http.StatusCreated)
		c := r.json(t)
		id, srcID := int64(c["id"].(float64)), c["first_source_id"].(float64)
		ra := a.doAs(a.token, "POST", "/api/v1/imports?source_type=api", "email\nx@example.com\n", "text/csv")
		want(t, ra, http.StatusAccepted)
		importID := int64(ra.json(t)["id"].(float64))

		wsB, err := st.EnsureWorkspace(t.Context(), "client-b")
		if err != nil {
			t.Fatal(err)
		}
		_, tokB, err := st.CreateToken(t.Context(), wsB.ID, "b")
		if err != nil {
			t.Fatal(err)
		}
		b := func(method, path string, body any) response { return a.doAs(tokB, method, path, body, "") }
		for _, tt := range []struct {
			method, path string
			body         any
			status       int
		}{
			{"GET", fmt.Sprintf("/api/v1/contacts/%d", id), nil, 404},
			{"PATCH", fmt.Sprintf("/api/v1/contacts/%d", id), map[string]any{"status": "blocked"}, 404},
			{"DELETE", fmt.Sprintf("/api/v1/contacts/%d", id), nil, 404},
			{"GET", fmt.Sprintf("/api/v1/sources/%d", int64(srcID)), nil, 404},
			{"GET", fmt.Sprintf("/api/v1/lists/%d", int64(listID)), nil, 404},
			{"DELETE", fmt.Sprintf("/api/v1/lists/%d", int64(listID)), nil, 404},
			{"GET", fmt.Sprintf("/api/v1/contacts?list_id=%d", int64(listID)), nil, 404},
			{"GET", "/api/v1/contacts?list=a-list", nil, 404},
			{"GET", fmt.Sprintf("/api/v1/imports/%d", importID), nil, 404},
			{"GET", fmt.Sprintf("/api/v1/imports/%d/errors", importID), nil, 404},
			{"POST", "/api/v1/contacts", map[string]any{"email": "b@example.com", "source_id": srcID}, 422},
			{"POST", "/api/v1/contacts", map[string]any{"email": "b@example.com", "source": apiSource, "lists": []string{"a-list"}}, 422},
		} {
			if r := b(tt.method, tt.path, tt.body); r.status != tt.status {
				t.Errorf("B: %s %s: status %d, want %d: %s", tt.method, tt.path, r.status, tt.status, short(r.body))
			}
		}
		for _, path := range []string{"/api/v1/contacts", "/api/v1/sources", "/api/v1/lists"} {
			r := b("GET", path, nil)
			want(t, r, http.StatusOK)
			if items := r.json(t)["items"].([]any); len(items) != 0 {
				t.Errorf("B sees %d items at %s", len(items), path)
			}
		}
		// The same address is a different contact in B, and A's contact is untouched.
		want(t, b("POST", "/api/v1/contacts", map[string]any{"email": "secret@example.com", "source": apiSource}), http.StatusCreated)
		r = a.do("GET", fmt.Sprintf("/api/v1/contacts/%d", id), nil)
		want(t, r, http.StatusOK)
		if r.json(t)["status"] != "active" {
			t.Errorf("A's contact changed: %s", short(r.body))
		}
	})
}

func TestListsAndSources(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		r := e.do("POST", "/api/v1/lists", map[string]any{"name": "vip", "description": "best customers"})
		want(t, r, http.StatusCreated)
		id := int64(r.json(t)["id"].(float64))
		want(t, e.do("POST", "/api/v1/lists", map[string]any{"name": "vip"}), http.StatusConflict)
		want(t, e.do("POST", "/api/v1/lists", map[string]any{"name": "  "}), http.StatusUnprocessableEntity)
		want(t, e.do("POST", "/api/v1/contacts", map[string]any{"email": "m@example.com", "source": apiSource, "lists": []string{"vip"}}), http.StatusCreated)
		r = e.do("GET", "/api/v1/lists", nil)
		want(t, r, http.StatusOK)
		items := r.json(t)["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["members"] != 1.0 || items[0].(map[string]any)["name"] != "vip" {
			t.Errorf("lists = %s", short(r.body))
		}
		want(t, e.do("GET", fmt.Sprintf("/api/v1/lists/%d", id), nil), http.StatusOK)
		want(t, e.do("DELETE", fmt.Sprintf("/api/v1/lists/%d", id), nil), http.StatusNoContent)
		want(t, e.do("GET", fmt.Sprintf("/api/v1/lists/%d", id), nil), http.StatusNotFound)

		// Sources page newest first.
		for i := range 5 {
			want(t, e.do("POST", "/api/v1/sources", map[string]any{"source_type": "business-cards", "description": fmt.Sprint("box ", i)}), http.StatusCreated)
		}
		want(t, e.do("POST", "/api/v1/sources", map[string]any{"source_type": "nope"}), http.StatusUnprocessableEntity)
		var seen []float64
		cursor := ""
		for range 10 {
			r := e.do("GET", "/api/v1/sources?limit=2&cursor="+cursor, nil)
			want(t, r, http.StatusOK)
			v := r.json(t)
			for _, it := range v["items"].([]any) {
				seen = append(seen, it.(map[string]any)["id"].(float64))
			}
			if cursor, _ = v["next_cursor"].(string); cursor == "" {
				break
			}
		}
		if len(seen) != 6 { // 5 + the contact's inline source
			t.Fatalf("paged %d sources, want 6", len(seen))
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] >= seen[i-1] {
				t.Fatalf("sources not newest first: %v", seen)
			}
		}
		want(t, e.do("GET", fmt.Sprintf("/api/v1/sources/%d", int64(seen[0])), nil), http.StatusOK)
		want(t, e.do("GET", "/api/v1/sources?cursor=zzz", nil), http.StatusBadRequest)

		r = e.do("GET", "/api/v1/source-types", nil)
		want(t, r, http.StatusOK)
		types := r.json(t)["items"].([]any)
		if len(types) != len(policy.SourceSlugs()) {
			t.Fatalf("%d source types, want %d", len(types), len(policy.SourceSlugs()))
		}
		for i := 1; i < len(types); i++ {
			if types[i].(map[string]any)["name"].(string) <= types[i-1].(map[string]any)["name"].(string) {
				t.Fatalf("source types not sorted: %s", short(r.body))
			}
		}
	})
}

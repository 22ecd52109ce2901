package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/user"
)

// listID finds a list of the fixture's workspace by name.
func (f *uiFixture) listID(name string) int64 {
	f.t.Helper()
	l, err := f.st.ListByName(f.t.Context(), f.ws, name)
	if err != nil {
		f.t.Fatalf("list %q: %v", name, err)
	}
	return l.ID
}

// TestUILists on both engines: the lists page shows each list with its member count (names
// as text); a list is created, opened and closed to sign-up and deleted (after a confirmation
// step) through the contact service, audited as the signed-in user's; a refused name comes
// back next to its field; a form without its token changes nothing.
func TestUILists(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newUIFixture(t, st)
		id := f.login("owner@example.com", "")
		csrf := user.CSRFToken(id)
		code, b := f.page("/ui/lists", id)
		if code != 200 {
			t.Fatalf("lists: %d %s", code, b)
		}
		mustContain(t, "lists", b, `aria-current="page"`, "&lt;img src=x onerror=alert(2)&gt;", `<td class="num">2</td>`, "<td>closed</td>",
			`id="create-list"`, `name="csrf"`)
		if strings.Contains(b, "<img src=x") {
			t.Errorf("the lists page carries a list name's markup:\n%s", b)
		}

		if r := f.do("POST", "/ui/lists", id, url.Values{"name": {"no token"}}, nil); r.StatusCode != http.StatusForbidden {
			t.Fatalf("create without the form token: %d", r.StatusCode)
		}
		if _, err := st.ListByName(t.Context(), f.ws, "no token"); err == nil {
			t.Fatal("a form without its token created a list")
		}
		r := f.do("POST", "/ui/lists", id, url.Values{"csrf": {csrf}, "name": {"  "}, "description": {`"keep" <me>`}}, nil)
		if b := bodyOf(t, r); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, `id="err-name"`) ||
			!strings.Contains(b, "&#34;keep&#34; &lt;me&gt;</textarea>") || !strings.Contains(b, `aria-invalid="true"`) {
			t.Fatalf("empty name: %d %s", r.StatusCode, b)
		}
		r = f.do("POST", "/ui/lists", id, url.Values{"csrf": {csrf}, "name": {xssList}}, nil)
		if b := bodyOf(t, r); r.StatusCode != http.StatusConflict || !strings.Contains(b, "exists already") {
			t.Fatalf("duplicate name: %d %s", r.StatusCode, b)
		}
		evil := `<script>alert(5)</script>`
		r = f.do("POST", "/ui/lists", id, url.Values{"csrf": {csrf}, "name": {evil}, "description": {"June <fair>"}, "public": {"true"}}, nil)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", r.StatusCode, bodyOf(t, r))
		}
		lid := f.listID(evil)
		if r.Header.Get("Location") != listURL(lid) {
			t.Fatalf("create leads to %s", r.Header.Get("Location"))
		}
		code, b = f.page(listURL(lid), id)
		if code != 200 {
			t.Fatalf("list page: %d %s", code, b)
		}
		mustContain(t, "list page", b, "List: &lt;script&gt;alert(5)&lt;/script&gt;", "June &lt;fair&gt;", `<dd id="list-public">open</dd>`,
			"No contacts on this list.", `href="`+listDeleteURL(lid)+`"`)
		if strings.Contains(b, "<script>alert") {
			t.Errorf("the list page carries the name's markup:\n%s", b)
		}

		r = f.do("POST", listURL(lid)+"/public", id, url.Values{"csrf": {csrf}, "public": {"false"}, "back": {"list"}}, nil)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != listURL(lid) {
			t.Fatalf("close: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if l, _ := st.List(t.Context(), f.ws, lid); l.Public {
			t.Fatal("the list is still open")
		}
		if r = f.do("POST", listURL(lid)+"/public", id, url.Values{"public": {"true"}}, nil); r.StatusCode != http.StatusForbidden {
			t.Fatalf("open without the token: %d", r.StatusCode)
		}

		code, b = f.page(listDeleteURL(lid), id)
		if code != 200 || !strings.Contains(b, "Delete the list &lt;script&gt;") || !strings.Contains(b, `id="confirm-delete"`) {
			t.Fatalf("confirmation: %d %s", code, b)
		}
		if _, err := st.List(t.Context(), f.ws, lid); err != nil {
			t.Fatalf("the confirmation page deleted the list: %v", err)
		}
		if r = f.do("POST", listDeleteURL(lid), id, url.Values{}, nil); r.StatusCode != http.StatusForbidden {
			t.Fatalf("delete without the token: %d", r.StatusCode)
		}
		if r = f.do("POST", listDeleteURL(lid), id, url.Values{"csrf": {csrf}}, nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d %s", r.StatusCode, bodyOf(t, r))
		}
		if code, _ = f.page(listURL(lid), id); code != 404 {
			t.Fatalf("deleted list: %d", code)
		}

		es, err := st.AuditEntries(t.Context(), f.ws, audit.Filter{Entity: "list"})
		if err != nil {
			t.Fatal(err)
		}
		var byUser []string
		for _, e := range es {
			if e.Actor.Kind == audit.User && e.Actor.Name == "owner@example.com" {
				byUser = append(byUser, e.Action)
			}
		}
		if strings.Join(byUser, " ") != "list.delete list.public list.create" {
			t.Fatalf("audit entries by the user: %v", byUser)
		}
	})
}

// TestUIListMembers on both engines: a list's members come by pages of a cursor.
func TestUIListMembers(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newUIFixture(t, st)
		ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
		lid := f.listID(xssList)
		for i := range uiMembersPageSize {
			addr := fmt.Sprintf("m%02d@example.net", i)
			if _, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: f.ws, Email: addr, EmailCanonical: addr,
				FirstSourceID: f.contact.FirstSourceID, Status: contact.StatusActive}, []int64{lid}); err != nil {
				t.Fatal(err)
			}
		}
		id := f.login("read-only@example.com", "")
		code, b := f.page(listURL(lid), id)
		if code != 200 {
			t.Fatalf("members: %d %s", code, b)
		}
		mustContain(t, "first page", b, "xss@example.com", "bob@other.example", "m47@example.net", `rel="next"`)
		if strings.Contains(b, "m48@example.net") {
			t.Errorf("the first page holds more than %d members", uiMembersPageSize)
		}
		i := strings.Index(b, `href="/ui/lists/`+fmt.Sprint(lid)+`?cursor=`)
		next := strings.ReplaceAll(b[i+6:i+strings.Index(b[i:], `" rel`)], "&amp;", "&")
		code, b = f.page(next, id)
		if code != 200 || !strings.Contains(b, "m48@example.net") || !strings.Contains(b, "m49@example.net") ||
			strings.Contains(b, "xss@example.com") || strings.Contains(b, `rel="next"`) {
			t.Fatalf("second page %s: %d %s", next, code, b)
		}
		if code, _ = f.page(listURL(lid)+"?cursor=!!", id); code != 400 {
			t.Errorf("bad cursor: %d", code)
		}
	})
}

// TestUIListRoles on both engines: read-only reads lists but is offered no change and may
// make none; an agent opens no list page; a marketer may create a list.
func TestUIListRoles(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newUIFixture(t, st)
		ro, agent, mk := f.login("read-only@example.com", ""), f.login("agent@example.com", ""), f.login("marketer@example.com", "")
		lid := f.listID(xssList)
		code, b := f.page("/ui/lists", ro)
		if code != 200 || strings.Contains(b, `id="create-list"`) || strings.Contains(b, "/public") || strings.Contains(b, "/delete") {
			t.Errorf("read-only lists: %d %s", code, b)
		}
		if code, b = f.page(listURL(lid), ro); code != 200 || strings.Contains(b, "/public") || strings.Contains(b, "/delete") {
			t.Errorf("read-only list: %d %s", code, b)
		}
		for _, p := range []string{"/ui/lists", listURL(lid) + "/public", listDeleteURL(lid)} {
			form := url.Values{"csrf": {user.CSRFToken(ro)}, "name": {"ro"}, "public": {"true"}}
			if r := f.do("POST", p, ro, form, nil); r.StatusCode != http.StatusForbidden {
				t.Errorf("read-only POST %s: %d", p, r.StatusCode)
			}
		}
		if code, _ := f.page(listDeleteURL(lid), ro); code != http.StatusForbidden {
			t.Errorf("read-only delete confirmation: %d", code)
		}
		if l, err := st.List(t.Context(), f.ws, lid); err != nil || l.Public {
			t.Fatalf("read-only changed the list: %+v, %v", l, err)
		}
		for _, p := range []string{"/ui/lists", listURL(lid), listDeleteURL(lid)} {
			if code, _ := f.page(p, agent); code != http.StatusForbidden {
				t.Errorf("agent %s: %d", p, code)
			}
		}
		if r := f.do("POST", "/ui/lists", agent, url.Values{"csrf": {user.CSRFToken(agent)}, "name": {"agent"}}, nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("agent create: %d", r.StatusCode)
		}
		if r := f.do("POST", "/ui/lists", mk, url.Values{"csrf": {user.CSRFToken(mk)}, "name": {"marketing"}}, nil); r.StatusCode != http.StatusSeeOther {
			t.Errorf("marketer create: %d", r.StatusCode)
		}
	})
}

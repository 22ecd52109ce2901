package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/user"
)

// TestListingPages on both engines: GET /api/v1/lists and /api/v1/templates answer a page at
// a time by name (limit, cursor, next_cursor; the items as before, all of them when they fit
// the default page), refuse a cursor they did not give out, and the /ui/lists and
// /ui/templates pages link to their next page.
func TestListingPages(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newUIFixture(t, st)
		ctx := t.Context()
		now := time.Now().UTC()
		const n = uiListsPageSize + 2 // the fixture's list is one more
		for i := range n {
			name := fmt.Sprintf("page-%03d", i)
			if _, err := st.CreateList(ctx, contact.List{WorkspaceID: f.ws, Name: name}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateTemplate(ctx, campaign.Template{WorkspaceID: f.ws, Name: name,
				Content: campaign.Content{Subject: "Hi", Text: "Hello"}, CreatedAt: now, UpdatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		session := f.login("marketer@example.com", "")
		get := func(path string) (int, map[string]any) {
			t.Helper()
			r := f.doJSON("GET", path, session, "", map[string]string{"X-CSRF-Token": user.CSRFToken(session)})
			var v map[string]any
			json.Unmarshal([]byte(bodyOf(t, r)), &v)
			return r.StatusCode, v
		}
		for _, res := range []struct {
			path  string
			total int
		}{{"/api/v1/lists", n + 1}, {"/api/v1/templates", n}} {
			code, all := get(res.path)
			if items, _ := all["items"].([]any); code != 200 || len(items) != res.total || all["next_cursor"] != nil {
				t.Errorf("%s: %d, %d items, next %v; want all %d on the default page", res.path, code, len(items), all["next_cursor"], res.total)
			}
			var names []string
			for cursor, pages := "", 0; pages < res.total; pages++ {
				code, page := get(res.path + "?limit=20&cursor=" + cursor)
				items, _ := page["items"].([]any)
				if code != 200 || len(items) == 0 || len(items) > 20 {
					t.Fatalf("%s page %d: %d %v", res.path, pages, code, page)
				}
				for _, it := range items {
					names = append(names, it.(map[string]any)["name"].(string))
				}
				next, _ := page["next_cursor"].(string)
				if next == "" {
					break
				}
				cursor = next
			}
			if len(names) != res.total || names[0] > names[1] || names[len(names)-2] > names[len(names)-1] {
				t.Errorf("%s by pages of 20: %d names %v; want all %d by name", res.path, len(names), names, res.total)
			}
			if code, _ := get(res.path + "?cursor=MTIz"); code != http.StatusBadRequest { // an id cursor ("123")
				t.Errorf("%s with a cursor it did not give out: %d", res.path, code)
			}
		}

		next := regexp.MustCompile(`id="next-page" href="([^"]+)"|href="([^"]+)" rel="next" id="next-page"`)
		for _, p := range []string{"/ui/lists", "/ui/templates"} {
			code, b := f.page(p, session)
			m := next.FindStringSubmatch(b)
			if code != 200 || m == nil || strings.Contains(b, fmt.Sprintf("page-%03d", n-1)) {
				t.Fatalf("%s first page: %d, next link %v", p, code, m)
			}
			link := strings.ReplaceAll(m[1]+m[2], "&amp;", "&")
			code, b = f.page(link, session)
			if code != 200 || !strings.Contains(b, fmt.Sprintf("page-%03d", n-1)) || next.MatchString(b) {
				t.Errorf("%s second page (%s): %d, want the last names and no next link", p, link, code)
			}
			if code, b := f.page(p+"?cursor=bad", session); code != http.StatusBadRequest || !strings.Contains(b, "out of date") {
				t.Errorf("%s with a bad cursor: %d", p, code)
			}
		}
	})
}

package signup_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/workspace"
)

// TestSnippet: the embeddable form is a frame of the subscribe page (list and language in
// its address, escaped), with the origins allowed to frame it; a workspace without a public
// list, a private list, an unknown language or no public URL are refused with what to do.
func TestSnippet(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, err := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
		if err != nil {
			t.Fatal(err)
		}
		s := signup.New(st, nil)
		s.PublicURL = "https://lists.example.com/"
		var inv *signup.InvalidError
		if _, err := s.Snippet(ctx, w.ID, "", "", "frame"); !errors.As(err, &inv) || inv.Field != "list" || !strings.Contains(inv.Message, "list public") {
			t.Fatalf("no public list: %v", err)
		}
		if _, err := st.CreateList(ctx, contact.List{WorkspaceID: w.ID, Name: `news & "views"`, Public: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateList(ctx, contact.List{WorkspaceID: w.ID, Name: "staff"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Snippet(ctx, w.ID, "staff", "", ""); !errors.As(err, &inv) || !strings.Contains(inv.Message, `"staff" is not public`) {
			t.Fatalf("private list: %v", err)
		}
		sn, err := s.Snippet(ctx, w.ID, `news & "views"`, "ar", "frame")
		if err != nil {
			t.Fatal(err)
		}
		want := `<iframe src="https://lists.example.com/subscribe/default?embed=1&amp;lang=ar&amp;list=news&#43;%26&#43;%22views%22" title="نموذج الاشتراك" lang="ar" loading="lazy"`
		if !strings.HasPrefix(sn.HTML, want) || sn.URL != "https://lists.example.com/subscribe/default?lang=ar&list=news+%26+%22views%22" || len(sn.Origins) != 0 {
			t.Fatalf("snippet: %+v\nwant prefix %s", sn, want)
		}
		if err := st.SetSetting(ctx, w.ID, workspace.SettingCORSOrigins, "https://www.shop.example"); err != nil {
			t.Fatal(err)
		}
		sn, err = s.Snippet(ctx, w.ID, "", "", "frame")
		if err != nil || !strings.Contains(sn.HTML, `src="https://lists.example.com/subscribe/default?embed=1"`) || strings.Contains(sn.HTML, "lang=") ||
			len(sn.Origins) != 1 || sn.Origins[0] != "https://www.shop.example" || !strings.Contains(sn.HTML, `title="Subscription form"`) {
			t.Fatalf("any language: %+v %v", sn, err)
		}
		if _, err := s.Snippet(ctx, w.ID, "", "tlh", ""); !errors.As(err, &inv) || inv.Field != "lang" || !strings.Contains(inv.Message, "en, fr, de, pl, zh, ar, ru") {
			t.Fatalf("unknown language: %v", err)
		}
		// The form: every box unticked, the wording in the language around the workspace's
		// description, the list escaped, the API of the workspace, the snippet's form id.
		sn, err = s.Snippet(ctx, w.ID, `news & "views"`, "pl", "")
		ps, _ := st.Purposes(ctx, w.ID)
		for _, want := range []string{`<form class="clearlist-signup" method="get" action="https://lists.example.com/subscribe/default" lang="pl" dir="ltr" data-api="https://lists.example.com/api/public/default/subscribe"`,
			`<input type="hidden" name="list" value="news &amp; &#34;views&#34;">`, `<input type="hidden" name="lang" value="pl">`,
			`value="newsletter"> <span>Tak, chcę otrzymywać e-mailem: ` + signup.Offered(ps)[0].Description, `data-form-version="` + signup.FormVersion(ps) + `"`,
			`data-pending="Dziękujemy.`, "document.currentScript.previousElementSibling", `subscribe-snippet`} {
			if err != nil || sn.Kind != "form" || sn.Lang != "pl" || !strings.Contains(sn.HTML, want) {
				t.Fatalf("form snippet lacks %s: %v\n%s", want, err, sn.HTML)
			}
		}
		if strings.Contains(sn.HTML, "checked>") || strings.Contains(sn.HTML, `checked="`) {
			t.Fatalf("a box is pre-ticked:\n%s", sn.HTML)
		}
		if _, err := s.Snippet(ctx, w.ID, "", "", "popup"); !errors.As(err, &inv) || inv.Field != "kind" {
			t.Fatalf("unknown kind: %v", err)
		}
		s.PublicURL = ""
		if _, err := s.Snippet(ctx, w.ID, "", "", "frame"); !errors.As(err, &inv) || !strings.Contains(inv.Message, "--public-url") {
			t.Fatalf("no public URL: %v", err)
		}
	})
}

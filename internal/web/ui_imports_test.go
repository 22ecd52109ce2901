package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/user"
)

// syncQueue runs an upload's import at once, in the request that starts it (River runs it in
// serve; the pages read the same import rows either way).
type syncQueue struct{ svc *imports.Service }

func (q syncQueue) EnqueueImport(ctx context.Context, ws, id int64) error {
	return q.svc.RunUpload(context.WithoutCancel(ctx), ws, id)
}

func (q syncQueue) ImportJobs(context.Context) ([]imports.QueuedImport, error) { return nil, nil }

// withImports gives the fixture's server the real import service.
func withImports(f *uiFixture) {
	scr := suppress.New(f.st, suppress.Options{Region: "DE"}, slog.New(slog.DiscardHandler))
	svc := imports.New(f.st, f.srv.cfg.Contacts, scr, imports.Config{DataDir: f.dataDir, DefaultRegion: "DE", Suppressor: scr})
	f.srv.imp = svc.Uploads(syncQueue{svc})
}

// upload posts the upload form as a browser does: the form token first (unless token is ""),
// the fields, then the file.
func (f *uiFixture) upload(session, token string, fields [][2]string, name, content string) *http.Response {
	f.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if token != "" {
		mw.WriteField("csrf", token)
	}
	for _, kv := range fields {
		mw.WriteField(kv[0], kv[1])
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		f.t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	req, _ := http.NewRequest("POST", f.http.URL+"/ui/imports", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// hostileCSV has a good row and a row whose cell is markup (refused: not an address).
const hostileCSV = "email\nann@example.org\n\"<img src=x onerror=alert(9)>\"\n"

// TestUIImports on both engines: the upload form says every import parameter of the API; an
// upload starts the import through the import service (the same call as the API) and leads
// to its page, which shows it finished with its counts and who started it; the error report
// shows the hostile cell as text, by pages, with the API's CSV download; a form without its
// token stores nothing; a refused parameter comes back next to its field with the input kept.
func TestUIImports(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newUIFixture(t, st)
		withImports(f)
		id := f.login("owner@example.com", "")
		code, b := f.page("/ui/imports/new", id)
		if code != 200 {
			t.Fatalf("form: %d %s", code, b)
		}
		for _, p := range importParamDocs {
			switch p.name {
			case "dry_run": // refused for uploads
			case "evidence":
				for k := range contact.EvidenceKeys {
					mustContain(t, "form", b, `name="ev_`+k+`"`)
				}
			default:
				mustContain(t, "form", b, `name="`+p.name+`"`)
			}
		}
		mustContain(t, "form", b, `name="verify"`, `enctype="multipart/form-data"`, `<label for="f-source_type">`, `aria-describedby="help-list"`)
		if len(uiEvidenceOrder) != len(contact.EvidenceKeys) {
			t.Errorf("the form asks %d evidence keys of %d", len(uiEvidenceOrder), len(contact.EvidenceKeys))
		}

		csrf := user.CSRFToken(id)
		resp := f.upload(id, "", [][2]string{{"source_type", "web-form-double-opt-in"}}, "leads.csv", hostileCSV)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("upload without the form token: %d", resp.StatusCode)
		}
		if ups, _ := filepath.Glob(filepath.Join(f.dataDir, "uploads", "*")); len(ups) != 0 {
			t.Fatalf("an upload without the token stored %v", ups)
		}
		resp = f.upload(id, csrf, [][2]string{{"source_note", `fair "<b>"`}, {"list", "fair"}}, "leads.csv", hostileCSV)
		b = bodyOf(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("upload without a source type: %d %s", resp.StatusCode, b)
		}
		mustContain(t, "refused form", b, `id="err-source_type"`, `aria-describedby="help-source_type err-source_type" aria-invalid="true"`,
			`value="fair &#34;&lt;b&gt;&#34;"`, "Choose the file again")
		if ims, _ := f.srv.imp.(uiImporter).Page(t.Context(), f.ws, 0, 10); len(ims) != 0 {
			t.Fatalf("refused uploads started %+v", ims)
		}

		resp = f.upload(id, csrf, [][2]string{{"source_type", "web-form-double-opt-in"}, {"list", "fair"}, {"ev_double_opt_in", "yes"},
			{"ev_wording", "Yes, <mail> me"}, {"map", "email=email\n"}}, `<svg onload=alert(8)>.csv`, hostileCSV)
		if b := bodyOf(t, resp); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/ui/imports/") {
			t.Fatalf("upload: %d %s", resp.StatusCode, b)
		}
		page := resp.Header.Get("Location")
		code, b = f.page(page, id)
		if code != 200 {
			t.Fatalf("import page: %d %s", code, b)
		}
		mustContain(t, "import page", b, "&lt;svg onload=alert(8)&gt;.csv", "State: <strong>finished</strong>", `<dd id="rows-read">2</dd>`,
			`<dd id="rows-rejected">1</dd>`, "user owner@example.com", "<dd>fair</dd>", `href="`+page+`/errors"`)
		if strings.Contains(b, "hx-trigger") {
			t.Errorf("a finished import's page still polls:\n%s", b)
		}
		imID := strings.TrimPrefix(page, "/ui/imports/")
		var imNum int64
		fmt.Sscan(imID, &imNum)
		im, err := st.Import(t.Context(), f.ws, imNum)
		if err != nil {
			t.Fatal(err)
		}
		src, err := st.Source(t.Context(), f.ws, im.SourceID)
		if err != nil || src.Evidence["double_opt_in"] != "yes" || src.Evidence["wording"] != "Yes, <mail> me" || src.Type != "web-form-double-opt-in" {
			t.Fatalf("the import's source = %+v, %v", src, err)
		}

		code, b = f.page(page+"/errors", id)
		if code != 200 {
			t.Fatalf("error report: %d %s", code, b)
		}
		mustContain(t, "error report", b, "&lt;img src=x onerror=alert(9)&gt;", `<td class="num">2</td>`, "invalid e-mail address",
			`href="/api/v1/imports/`+imID+`/errors"`)
		if strings.Contains(b, "<img src=x") || strings.Contains(b, "<svg") {
			t.Errorf("the error report carries markup from the file:\n%s", b)
		}
		if code, _ = f.page(page+"/errors?cursor=!!", id); code != 400 {
			t.Errorf("bad report cursor: %d", code)
		}
		r := f.do("GET", "/api/v1/imports/"+imID+"/errors", id, nil, nil)
		if csv := bodyOf(t, r); r.StatusCode != 200 || !strings.Contains(csv, "onerror") {
			t.Errorf("report download: %d %s", r.StatusCode, csv)
		}

		code, b = f.page("/ui/imports", id)
		if code != 200 {
			t.Fatalf("listing: %d %s", code, b)
		}
		mustContain(t, "listing", b, `href="/ui/imports"`, `aria-current="page"`, `href="`+page+`"`, "&lt;svg onload=alert(8)&gt;.csv",
			"<td>finished</td>", "user owner@example.com", `href="/ui/imports/new"`)
		if code, _ = f.page("/ui/imports?cursor=!!", id); code != 400 {
			t.Errorf("bad listing cursor: %d", code)
		}
		if code, _ = f.page("/ui/imports/999999", id); code != 404 {
			t.Errorf("unknown import: %d", code)
		}

		// The import was audited as the signed-in user's.
		es, err := st.AuditEntries(t.Context(), f.ws, audit.Filter{Entity: "import"})
		if err != nil || len(es) != 1 || es[0].Actor.Kind != audit.User || es[0].Actor.Name != "owner@example.com" {
			t.Fatalf("audit of the import: %+v, %v", es, err)
		}
	})
}

// TestUIImportProgress on both engines: a running import's fragment polls every second and
// says what it knows; once it has ended the fragment carries no trigger.
func TestUIImportProgress(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newUIFixture(t, st)
		withImports(f)
		ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.Token, Name: "ci <bot>"})
		upload := filepath.Join(f.dataDir, "big.csv")
		if err := os.WriteFile(upload, []byte(strings.Repeat("email\n", 1000)), 0o600); err != nil {
			t.Fatal(err)
		}
		_, im, err := st.StartImport(ctx, contact.Source{WorkspaceID: f.ws, Type: "api", Evidence: map[string]string{}},
			store.Import{WorkspaceID: f.ws, FileName: "big.csv", OnConflict: "update", StartedBy: "token ci <bot>"})
		if err != nil {
			t.Fatal(err)
		}
		id := f.login("marketer@example.com", "")
		path := fmt.Sprintf("/ui/imports/%d/progress", im.ID)
		code, b := f.page(path, id)
		if code != 200 {
			t.Fatalf("fragment: %d %s", code, b)
		}
		mustContain(t, "running fragment", b, `hx-get="`+path+`"`, `hx-trigger="every 1s"`, `hx-swap="outerHTML"`, "State: <strong>running</strong>",
			`<dd id="import-eta">`, "not known yet", "token ci &lt;bot&gt;")
		if strings.Contains(b, "<html") {
			t.Errorf("the fragment is a whole page:\n%s", b)
		}
		if err := st.FinishImport(ctx, f.ws, im.ID, store.ImportFailed, "the disk <filled>", 0, 0); err != nil {
			t.Fatal(err)
		}
		_, b = f.page(path, id)
		mustContain(t, "ended fragment", b, "State: <strong>failed</strong>", "The import stopped: the disk &lt;filled&gt;")
		if strings.Contains(b, "hx-trigger") || strings.Contains(b, "hx-get") {
			t.Errorf("an ended import's fragment still polls:\n%s", b)
		}
	})
}

// TestUIImportRoles on both engines: read-only sees imports but no upload form and may not
// upload; an agent sees no imports at all; a marketer may upload.
func TestUIImportRoles(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newUIFixture(t, st)
		withImports(f)
		ro, agent, mk := f.login("read-only@example.com", ""), f.login("agent@example.com", ""), f.login("marketer@example.com", "")
		code, b := f.page("/ui/imports", ro)
		if code != 200 || strings.Contains(b, "/ui/imports/new") || !strings.Contains(b, `href="/ui/imports"`) {
			t.Errorf("read-only listing: %d %s", code, b)
		}
		if code, _ := f.page("/ui/imports/new", ro); code != http.StatusForbidden {
			t.Errorf("read-only form: %d", code)
		}
		resp := f.upload(ro, user.CSRFToken(ro), [][2]string{{"source_type", "api"}}, "a.csv", hostileCSV)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("read-only upload: %d", resp.StatusCode)
		}
		for _, p := range []string{"/ui/imports", "/ui/imports/new", "/ui/imports/1", "/ui/imports/1/progress", "/ui/imports/1/errors"} {
			if code, b := f.page(p, agent); code != http.StatusForbidden || !strings.Contains(b, "Your role (agent)") {
				t.Errorf("agent %s: %d", p, code)
			}
		}
		if _, b := f.page("/ui/", agent); strings.Contains(b, `href="/ui/imports"`) || strings.Contains(b, `href="/ui/lists"`) {
			t.Errorf("the agent's menu offers imports or lists:\n%s", b)
		}
		resp = f.upload(agent, user.CSRFToken(agent), [][2]string{{"source_type", "api"}}, "a.csv", hostileCSV)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("agent upload: %d", resp.StatusCode)
		}
		if code, _ := f.page("/ui/imports/new", mk); code != 200 {
			t.Errorf("marketer form: %d", code)
		}
		resp = f.upload(mk, user.CSRFToken(mk), [][2]string{{"source_type", "api"}}, "a.csv", "email\nm@example.org\n")
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("marketer upload: %d %s", resp.StatusCode, bodyOf(t, resp))
		}
		if ims, _ := f.srv.imp.(uiImporter).Page(t.Context(), f.ws, 0, 10); len(ims) != 1 {
			t.Errorf("imports after the uploads: %+v", ims)
		}
	})
}

// TestImportCancel on both engines, with the import service: the API cancels a running
// import (200, cancelled, who) and refuses an ended one with 409 saying its state, a missing
// one with 404; the page's Cancel button (htmx) swaps in the fragment saying cancelled, the
// plain form answers 303, a refused cancel says why next to the state; a read-only user sees
// no button and may not post it.
func TestImportCancel(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newUIFixture(t, st)
		withImports(f)
		ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
		start := func(name string) int64 {
			t.Helper()
			_, im, err := st.StartImport(ctx, contact.Source{WorkspaceID: f.ws, Type: "api", Evidence: map[string]string{}},
				store.Import{WorkspaceID: f.ws, FileName: name, OnConflict: "update"})
			if err != nil {
				t.Fatal(err)
			}
			return im.ID
		}
		mk, ro := f.login("marketer@example.com", ""), f.login("read-only@example.com", "")

		// The API, as a signed-in browser (the route table's roles, the session's CSRF token).
		api := func(session string, id int64) (int, string) {
			r := f.doJSON("POST", fmt.Sprintf("/api/v1/imports/%d/cancel", id), session, "", map[string]string{"X-CSRF-Token": user.CSRFToken(session)})
			return r.StatusCode, bodyOf(t, r)
		}
		first := start("first.csv")
		if code, b := api(ro, first); code != http.StatusForbidden {
			t.Errorf("read-only cancels by the API: %d %s", code, b)
		}
		code, b := api(mk, first)
		if code != 200 || !strings.Contains(b, `"status":"cancelled"`) || !strings.Contains(b, `"cancelled_by":"user marketer@example.com"`) {
			t.Fatalf("cancel by the API: %d %s", code, b)
		}
		if code, b := api(mk, first); code != http.StatusConflict || !strings.Contains(b, "was cancelled already, by user marketer@example.com") {
			t.Errorf("cancel twice: %d %s", code, b)
		}
		if code, _ := api(mk, 999999); code != http.StatusNotFound {
			t.Errorf("cancel a missing import: %d", code)
		}

		// The page's button.
		second := start("second.csv")
		page := fmt.Sprintf("/ui/imports/%d", second)
		_, b = f.page(page, ro)
		if strings.Contains(b, `id="cancel-import"`) {
			t.Errorf("read-only is shown the Cancel button")
		}
		if r := f.do("POST", page+"/cancel", ro, url.Values{"csrf": {user.CSRFToken(ro)}}, nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("read-only posts the cancel: %d", r.StatusCode)
		}
		_, b = f.page(page, mk)
		mustContain(t, "running import's page", b, `id="cancel-import"`, `hx-post="`+page+`/cancel"`, `name="csrf"`)
		if r := f.do("POST", page+"/cancel", mk, url.Values{}, nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("cancel without the form token: %d", r.StatusCode)
		}
		r := f.do("POST", page+"/cancel", mk, url.Values{"csrf": {user.CSRFToken(mk)}}, map[string]string{"HX-Request": "true"})
		b = bodyOf(t, r)
		if r.StatusCode != 200 || strings.Contains(b, "<html") || strings.Contains(b, "hx-trigger") || strings.Contains(b, `id="cancel-import"`) {
			t.Fatalf("htmx cancel: %d %s", r.StatusCode, b)
		}
		mustContain(t, "cancelled fragment", b, "State: <strong>cancelled</strong>", "user marketer@example.com")
		r = f.do("POST", page+"/cancel", mk, url.Values{"csrf": {user.CSRFToken(mk)}}, nil)
		if b := bodyOf(t, r); r.StatusCode != http.StatusConflict || !strings.Contains(b, `id="cancel-error"`) || !strings.Contains(b, "cancelled already") {
			t.Errorf("cancel a cancelled import from its page: %d %s", r.StatusCode, b)
		}
		third := start("third.csv")
		r = f.do("POST", fmt.Sprintf("/ui/imports/%d/cancel", third), mk, url.Values{"csrf": {user.CSRFToken(mk)}}, nil)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != fmt.Sprintf("/ui/imports/%d", third) {
			t.Errorf("plain form cancel: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
	})
}

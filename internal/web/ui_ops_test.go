package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/user"
	"github.com/clearlist/clearlist/internal/verify"
)

// Probes of the operations pages: what a remote mail server, a person replying, or a user
// writing a note or a reason can put on them.
const (
	xssDiag  = `<script>alert("diag")</script>`
	xssReply = `<img src=x onerror=alert(5)>`
	xssWhy   = `<svg onload=alert(6)>`
)

// queued records the verification jobs the service asks to run (River runs them in serve; the
// page tests need only to know one was asked for).
type queued struct {
	mu  sync.Mutex
	ids []int64
}

func (q *queued) EnqueueVerifyJob(_ context.Context, _, id int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ids = append(q.ids, id)
	return nil
}

// opsFixture is a workspace with do-not-contact entries (a person's own request and a manual
// one), a hard bounce with a hostile diagnostic, a reply queued for review, a finished
// verification job, a River job, and one user of every role.
type opsFixture struct {
	*uiEnv
	scr      *suppress.Service
	queue    *queued
	jc       *jobs.Client
	personal int64 // the entry of bob's own request
	manual   int64 // a manual entry
	review   int64
	job      int64
	list     string
}

func newOpsFixture(t *testing.T, st *store.Store) *opsFixture {
	t.Helper()
	ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	scr := suppress.New(st, suppress.Options{Region: "DE"}, log)
	q := &queued{}
	sqlDB, pool, err := st.JobDB(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	jc, err := jobs.Open(t.Context(), jobs.DB{SQLite: sqlDB, Postgres: pool}, jobs.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(jc.Close)
	bs := bounce.New(st, scr, bounce.Options{Log: log})
	e := newUIEnv(t, st, func(c *Config) {
		c.Suppressions = scr
		c.Bounces = bs
		c.Verifier = verify.NewService(st, verify.Config{Logger: log}, q)
		c.Jobs = jobs.NewOps(jc, st)
	})
	f := &opsFixture{uiEnv: e, scr: scr, queue: q, jc: jc, list: "news <weekly>"}
	added, _, err := scr.Suppress(ctx, e.ws, []suppress.Intake{
		{Value: "bob@other.example", Reason: "request-email", By: "test"},
		{Value: "+49 30 1234567", Reason: "manual", By: "test", Note: xssWhy}})
	if err != nil || len(added) != 2 {
		t.Fatalf("suppress: %v, %v", added, err)
	}
	f.personal, f.manual = added[0].ID, added[1].ID
	src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: e.ws, Type: "api"})
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"gone@example.com", "reader@example.com"} { // the events are about contacts
		if _, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: e.ws, Email: addr, EmailCanonical: addr,
			FirstSourceID: src.ID, Status: contact.StatusActive}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bs.Record(ctx, e.ws, []bounce.Event{
		{Kind: bounce.KindBounced, Address: "gone@example.com", Reason: "userunknown", Hard: true, Status: "5.1.1", Diagnostic: xssDiag},
		{Kind: bounce.KindReplied, Address: "reader@example.com",
			Text: strings.Repeat("Thanks for the news, we read every issue. ", 5) + xssReply + " The bus stop moved."}}); err != nil {
		t.Fatal(err)
	}
	rs, err := bs.Reviews(ctx, e.ws, false)
	if err != nil || len(rs) != 1 {
		t.Fatalf("reviews: %+v, %v", rs, err)
	}
	f.review = rs[0].ID
	if _, err := st.CreateList(ctx, contact.List{WorkspaceID: e.ws, Name: f.list}); err != nil {
		t.Fatal(err)
	}
	vj, err := st.CreateVerifyJob(ctx, e.ws, []string{"a@example.com", "b@example.com"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateVerifyJob(ctx, e.ws, vj, 2, map[string]int{"valid": 1, "invalid": 1}, "done", ""); err != nil {
		t.Fatal(err)
	}
	j, err := jc.RunNow(ctx, jobs.KindReverify)
	if err != nil {
		t.Fatal(err)
	}
	f.job = j.ID
	for _, r := range []string{"owner", "admin", "compliance", "marketer", "agent", "read-only"} {
		e.addUser(r+"@example.com", r)
	}
	return f
}

// page gets a UI page as the signed-in session and returns its status and body.
func (f *opsFixture) page(path, session string) (int, string) {
	f.t.Helper()
	r := f.do("GET", path, session, nil, nil)
	return r.StatusCode, bodyOf(f.t, r)
}

// post sends a form as the session, with its token unless csrf is false.
func (f *opsFixture) post(path, session string, form url.Values, csrf bool) (int, string, string) {
	f.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if csrf {
		form.Set("csrf", user.CSRFToken(session))
	}
	r := f.do("POST", path, session, form, map[string]string{"Sec-Fetch-Site": "same-origin"})
	return r.StatusCode, r.Header.Get("Location"), bodyOf(f.t, r)
}

// actions are the workspace's audit actions written by users, oldest first.
func (f *opsFixture) actions() []string {
	f.t.Helper()
	es, err := f.st.AuditEntries(context.Background(), f.ws, audit.Filter{Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Actor.Kind == audit.User {
			out = append(out, es[i].Action+" by "+es[i].Actor.Name)
		}
	}
	return out
}

// TestUIOpsPages on both engines: each operations page shows what its service answers.
func TestUIOpsPages(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newOpsFixture(t, st)
		owner := f.login("owner@example.com", "")
		code, b := f.page("/ui/", owner)
		if code != 200 {
			t.Fatalf("dashboard: %d", code)
		}
		mustContain(t, "menu", b, `href="/ui/dnc"`, `href="/ui/dnc/request"`, `href="/ui/bounces"`, `href="/ui/verify"`,
			`href="/ui/audit"`, `href="/ui/jobs"`)
		code, b = f.page("/ui/dnc", owner)
		if code != 200 {
			t.Fatalf("dnc: %d %s", code, b)
		}
		mustContain(t, "dnc", b, "bob@other.example", "request-email", "+49301234567", "manual", "Deadline",
			fmt.Sprintf(`action="/ui/dnc/%d/remove"`, f.personal), fmt.Sprintf(`action="/ui/dnc/%d/remove"`, f.manual))
		code, b = f.page("/ui/dnc?q=BOB@other.example", owner)
		if code != 200 || !strings.Contains(b, "bob@other.example") || strings.Contains(b, "+49301234567") {
			t.Fatalf("search: %d %s", code, b)
		}
		if code, b = f.page("/ui/dnc?q=nobody@example.com", owner); code != 200 || !strings.Contains(b, "is on no do-not-contact list") {
			t.Fatalf("search for a stranger: %d %s", code, b)
		}
		if code, _ = f.page("/ui/dnc?cursor=!!", owner); code != 400 {
			t.Fatalf("bad cursor: %d", code)
		}
		if code, b = f.page("/ui/dnc?reason=manual", owner); code != 200 || strings.Contains(b, "bob@other.example") || !strings.Contains(b, "+49301234567") {
			t.Fatalf("by reason: %d %s", code, b)
		}

		code, b = f.page("/ui/bounces", owner)
		if code != 200 {
			t.Fatalf("bounces: %d %s", code, b)
		}
		mustContain(t, "bounces", b, "gone@example.com", "userunknown", "<td>hard</td>", "<code>5.1.1</code>",
			"Replies that may ask to stop", "reader@example.com", "the bus stop moved.", `value="stop"`, `value="dismiss"`)

		code, b = f.page("/ui/verify", owner)
		if code != 200 {
			t.Fatalf("verify: %d %s", code, b)
		}
		mustContain(t, "verify", b, "invalid: 1; valid: 1", "<td>done", `name="list"`, "news &lt;weekly&gt;")

		code, b = f.page("/ui/jobs", owner)
		if code != 200 {
			t.Fatalf("jobs: %d %s", code, b)
		}
		mustContain(t, "jobs", b, "reverify", "available", fmt.Sprintf(`action="/ui/jobs/%d/cancel"`, f.job), `action="/ui/jobs/run"`)
		if code, _ = f.page("/ui/jobs?state=nonsense", owner); code != 400 {
			t.Fatalf("bad state: %d", code)
		}

		code, b = f.page("/ui/audit", owner)
		if code != 200 {
			t.Fatalf("audit: %d %s", code, b)
		}
		mustContain(t, "audit", b, "suppression.add", "hmac:", "<details>")
		if code, b = f.page("/ui/audit?action=bounce.event", owner); code != 200 || strings.Contains(b, "<td>suppression.add</td>") || !strings.Contains(b, "<td>bounce.event</td>") {
			t.Fatalf("by action: %d %s", code, b)
		}
		if code, b = f.page("/ui/audit?since=2999-01-01", owner); code != 200 || !strings.Contains(b, "No entry matches") {
			t.Fatalf("since the future: %d %s", code, b)
		}
		if code, b = f.page("/ui/audit?until=yesterday", owner); code != 400 || !strings.Contains(b, "YYYY-MM-DD") {
			t.Fatalf("bad date: %d %s", code, b)
		}
		// Paging: more entries than a page; the next page continues below the last seq.
		ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "pager"})
		for i := range uiOpsPageSize + 5 {
			if err := st.RecordJobAction(ctx, f.ws, "job.run", int64(1000+i)); err != nil {
				t.Fatal(err)
			}
		}
		_, b = f.page("/ui/audit?actor=pager", owner)
		if strings.Count(b, "<details>") != uiOpsPageSize || !strings.Contains(b, `id="next-page"`) || !strings.Contains(b, "actor=pager") {
			t.Fatalf("first page of %d: %d entries\n%s", uiOpsPageSize+5, strings.Count(b, "<details>"), b)
		}
		next := b[strings.Index(b, `href="/ui/audit?`)+6:]
		next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
		if _, b = f.page(next, owner); strings.Count(b, "<details>") != 5 || strings.Contains(b, `id="next-page"`) {
			t.Fatalf("second page %s: %d entries", next, strings.Count(b, "<details>"))
		}
	})
}

// TestUIOpsActions on both engines: every form calls the service of its API route, writes
// the same audit entry with the user as the actor, and redirects to the page with the result.
func TestUIOpsActions(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newOpsFixture(t, st)
		agent, compliance := f.login("agent@example.com", ""), f.login("compliance@example.com", "")
		owner, marketer := f.login("owner@example.com", ""), f.login("marketer@example.com", "")

		// An agent records a stop request taken on a call; a compliance user finds it.
		code, b := f.page("/ui/dnc/request", agent)
		if code != 200 || !strings.Contains(b, `action="/ui/dnc/request"`) || strings.Contains(b, `href="/ui/dnc"`) {
			t.Fatalf("agent's form: %d %s", code, b)
		}
		code, loc, b := f.post("/ui/dnc/request", agent, url.Values{"value": {"carol@example.com"}, "how": {"phone"},
			"scope": {"email"}, "note": {"call 42"}}, true)
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/ui/dnc/request?done=") {
			t.Fatalf("record: %d %s %s", code, loc, b)
		}
		if _, b = f.page(loc, agent); !strings.Contains(b, "Recorded: carol@example.com is on the do-not-contact list.") {
			t.Fatalf("after recording: %s", b)
		}
		if _, b = f.page("/ui/dnc/request?check=carol@example.com", agent); !strings.Contains(b, "do not contact") {
			t.Fatalf("check: %s", b)
		}
		_, b = f.page("/ui/dnc?q=carol@example.com", compliance)
		mustContain(t, "compliance's search", b, "carol@example.com", "request-phone", "<td>email</td>", "agent@example.com", "call 42")
		// Invalid input: the form again, the message next to the field, the input kept.
		code, _, b = f.post("/ui/dnc/request", agent, url.Values{"value": {"not an address"}, "how": {"email"}, "scope": {"all"}}, true)
		if code != http.StatusUnprocessableEntity || !strings.Contains(b, `aria-describedby="value-error"`) || !strings.Contains(b, `value="not an address"`) {
			t.Fatalf("invalid: %d %s", code, b)
		}
		code, _, b = f.post("/ui/dnc/request", agent, url.Values{"value": {"dan@example.com"}, "how": {"telepathy"}}, true)
		if code != http.StatusUnprocessableEntity || !strings.Contains(b, "Choose how the person asked") {
			t.Fatalf("unknown way: %d %s", code, b)
		}

		// A marketer may remove a manual entry but not a person's own request (no button, 403).
		_, b = f.page("/ui/dnc", marketer)
		if strings.Contains(b, fmt.Sprintf(`action="/ui/dnc/%d/remove"`, f.personal)) || !strings.Contains(b, fmt.Sprintf(`action="/ui/dnc/%d/remove"`, f.manual)) {
			t.Fatalf("marketer's buttons: %s", b)
		}
		if code, _, b = f.post(fmt.Sprintf("/ui/dnc/%d/remove", f.personal), marketer, url.Values{"why": {"test"}}, true); code != http.StatusForbidden ||
			!strings.Contains(b, "only a compliance user or an admin may lift it") {
			t.Fatalf("marketer lifts a request: %d %s", code, b)
		}
		if code, _, _ = f.post(fmt.Sprintf("/ui/dnc/%d/remove", f.personal), compliance, url.Values{"why": {""}}, true); code != http.StatusUnprocessableEntity {
			t.Fatalf("remove without a reason: %d", code)
		}
		if code, loc, b = f.post(fmt.Sprintf("/ui/dnc/%d/remove", f.personal), compliance, url.Values{"why": {xssWhy}}, true); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/ui/dnc?done=") {
			t.Fatalf("compliance lifts: %d %s %s", code, loc, b)
		}
		if code, _, _ = f.post(fmt.Sprintf("/ui/dnc/%d/remove", f.manual), marketer, url.Values{"why": {"wrong number"}}, true); code != http.StatusSeeOther {
			t.Fatalf("marketer removes a manual entry: %d", code)
		}

		// The review queue: compliance decides; a second decision is a conflict.
		if code, loc, b = f.post(fmt.Sprintf("/ui/bounces/reviews/%d", f.review), compliance, url.Values{"decision": {"stop"}}, true); code != http.StatusSeeOther ||
			!strings.Contains(loc, "done=") {
			t.Fatalf("decide: %d %s %s", code, loc, b)
		}
		if _, b = f.page(loc, compliance); !strings.Contains(b, "reader@example.com: the address is on the do-not-contact list") {
			t.Fatalf("after deciding: %s", b)
		}
		if code, _, _ = f.post(fmt.Sprintf("/ui/bounces/reviews/%d", f.review), compliance, url.Values{"decision": {"dismiss"}}, true); code != http.StatusConflict {
			t.Fatalf("decided twice: %d", code)
		}

		// A verification job for a list: queued, and its page shows the progress (a fragment for htmx).
		if code, _, b = f.post("/ui/verify", marketer, url.Values{"list": {"no such list"}, "days": {"30"}}, true); code != http.StatusUnprocessableEntity ||
			!strings.Contains(b, "There is no list no such list") {
			t.Fatalf("unknown list: %d %s", code, b)
		}
		code, loc, _ = f.post("/ui/verify", marketer, url.Values{"list": {f.list}, "days": {"0"}}, true)
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/ui/verify/jobs/") || len(f.queue.ids) != 1 {
			t.Fatalf("start: %d %s %v", code, loc, f.queue.ids)
		}
		if _, b = f.page(loc, marketer); !strings.Contains(b, `id="verify-progress"`) {
			t.Fatalf("job page: %s", b)
		}
		frag := f.do("GET", loc, marketer, nil, map[string]string{"HX-Request": "true"})
		if fb := bodyOf(t, frag); !strings.HasPrefix(strings.TrimSpace(fb), `<div id="verify-progress"`) || strings.Contains(fb, "<html") {
			t.Fatalf("fragment: %s", fb)
		}

		// Jobs: an owner cancels, retries and queues; each through jobs.Ops, audited.
		for _, op := range []string{"cancel", "retry"} {
			if code, loc, b = f.post(fmt.Sprintf("/ui/jobs/%d/%s", f.job, op), owner, nil, true); code != http.StatusSeeOther {
				t.Fatalf("%s: %d %s", op, code, b)
			}
		}
		if _, b = f.page(loc, owner); !strings.Contains(b, fmt.Sprintf("Job %d (reverify) is now available.", f.job)) {
			t.Fatalf("after retry: %s", b)
		}
		if code, _, _ = f.post("/ui/jobs/run", owner, url.Values{"kind": {"doi_expiry"}}, true); code != http.StatusSeeOther {
			t.Fatalf("run: %d", code)
		}
		if code, _, _ = f.post("/ui/jobs/999999/retry", owner, nil, true); code != http.StatusNotFound {
			t.Fatalf("retry of an unknown job: %d", code)
		}
		want := []string{"suppression.add by agent@example.com", "suppression.remove by compliance@example.com",
			"suppression.remove by marketer@example.com", "suppression.add by compliance@example.com", "bounce.review by compliance@example.com", "verify_job.create by marketer@example.com",
			"job.cancel by owner@example.com", "job.retry by owner@example.com", "job.run by owner@example.com"}
		got := f.actions()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit entries by users:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestUIOpsRoles on both engines: each page and each form asks the route table with the
// session's role, as its API route does; a form without the session's token is refused.
func TestUIOpsRoles(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newOpsFixture(t, st)
		s := map[string]string{}
		for _, r := range []string{"owner", "admin", "compliance", "marketer", "agent", "read-only"} {
			s[r] = f.login(r+"@example.com", "")
		}
		pages := map[string][]string{ // who may open each page
			"/ui/dnc":         {"owner", "admin", "compliance", "marketer", "read-only"},
			"/ui/dnc/request": {"owner", "admin", "compliance", "marketer", "agent", "read-only"}, // the check; the form for agents and staff
			"/ui/bounces":     {"owner", "admin", "compliance", "marketer", "read-only"},
			"/ui/verify":      {"owner", "admin", "compliance", "marketer", "read-only"},
			"/ui/audit":       {"owner", "admin", "compliance"},
			"/ui/jobs":        {"owner", "admin", "compliance"},
		}
		for p, who := range pages {
			for role, id := range s {
				code, b := f.page(p, id)
				allowed := strings.Contains(strings.Join(who, ","), role)
				if allowed && code != 200 || !allowed && code != http.StatusForbidden {
					t.Errorf("%s as %s: %d %s", p, role, code, b)
				}
				_, menu := f.page("/ui/", id)
				if strings.Contains(menu, `href="`+p+`"`) != allowed {
					t.Errorf("menu of %s: link to %s is %v", role, p, !allowed)
				}
			}
		}
		// Read-only sees no form that changes anything; it may not send them either.
		for _, p := range []string{"/ui/dnc", "/ui/bounces", "/ui/verify", "/ui/dnc/request"} {
			if _, b := f.page(p, s["read-only"]); strings.Contains(b, `method="post" action="/ui/`) {
				t.Errorf("read-only gets a form on %s: %s", p, b)
			}
		}
		forms := []struct {
			path string
			form url.Values
			who  []string // who may send it (the rest get 403)
		}{
			{fmt.Sprintf("/ui/bounces/reviews/%d", f.review), url.Values{"decision": {"dismiss"}}, []string{"compliance"}},
			{"/ui/dnc/request", url.Values{"value": {"+49 30 7654321"}, "how": {"phone"}, "scope": {"phone"}}, []string{"agent"}},
			{fmt.Sprintf("/ui/jobs/%d/cancel", f.job), nil, []string{"admin"}},
			{"/ui/verify", url.Values{"list": {f.list}}, []string{"marketer"}},
		}
		for _, fm := range forms {
			for role, id := range s {
				code, _, b := f.post(fm.path, id, fm.form, true)
				mayOpen := code != http.StatusForbidden
				if strings.Contains(strings.Join(fm.who, ","), role) && !mayOpen {
					t.Errorf("%s as %s: %d %s", fm.path, role, code, b)
				}
				if (role == "read-only" || (role == "agent" && fm.path != "/ui/dnc/request") ||
					(role != "owner" && role != "admin" && strings.HasPrefix(fm.path, "/ui/jobs/")) ||
					(role == "marketer" && strings.HasPrefix(fm.path, "/ui/bounces/"))) && mayOpen {
					t.Errorf("%s as %s: %d, want 403\n%s", fm.path, role, code, b)
				}
			}
		}
		// Without the form token (or from another site) nothing changes.
		before := f.actions()
		if code, _, _ := f.post("/ui/dnc/request", s["agent"], url.Values{"value": {"eve@example.com"}, "how": {"phone"}, "scope": {"all"}}, false); code != http.StatusForbidden {
			t.Errorf("without the token: %d", code)
		}
		r := f.do("POST", fmt.Sprintf("/ui/jobs/%d/retry", f.job), s["owner"], url.Values{"csrf": {user.CSRFToken(s["owner"])}},
			map[string]string{"Sec-Fetch-Site": "cross-site"})
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("from another site: %d", r.StatusCode)
		}
		if after := f.actions(); len(after) != len(before) {
			t.Errorf("refused forms wrote %v", after[len(before):])
		}
	})
}

// TestUIOpsEscape on both engines: a bounce's diagnostic, a reply's text, an entry's note and
// a removal's reason (in the audit log) come back as text.
func TestUIOpsEscape(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newOpsFixture(t, st)
		owner := f.login("owner@example.com", "")
		if code, _, _ := f.post(fmt.Sprintf("/ui/dnc/%d/remove", f.manual), owner, url.Values{"why": {xssWhy}}, true); code != http.StatusSeeOther {
			t.Fatalf("remove: %d", code)
		}
		for _, p := range []string{"/ui/dnc?removed=1", "/ui/bounces", "/ui/audit", "/ui/dnc?q=%3Cscript%3E", "/ui/dnc/request?check=%3Cb%3Ex",
			"/ui/audit?actor=%22%3E%3Cscript%3E"} {
			_, b := f.page(p, owner)
			for _, raw := range []string{"<script>alert", "<img src=x", "<svg onload", `"><script>`, "<b>x"} {
				if strings.Contains(b, raw) {
					t.Errorf("%s carries %q unescaped:\n%s", p, raw, b)
				}
			}
		}
		_, b := f.page("/ui/bounces", owner)
		mustContain(t, "bounces", b, "&lt;script&gt;alert(&#34;diag&#34;)&lt;/script&gt;", "&lt;img src=x onerror=alert(5)&gt;")
		_, b = f.page("/ui/dnc?removed=1", owner)
		mustContain(t, "dnc", b, "&lt;svg onload=alert(6)&gt;")
	})
}

// TestOpsAPI on both engines: the API routes the pages mirror — the audit trail filtered and
// paged, the verification jobs listed, and jobs retried, cancelled and queued with audit
// entries naming the token.
func TestOpsAPI(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newOpsFixture(t, st)
		e := f.testEnv
		since := url.QueryEscape(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
		r := e.doAs(e.token, "GET", "/api/v1/audit?action=bounce.event&since="+since, nil, "")
		want(t, r, 200)
		var page struct {
			Items []audit.Entry `json:"items"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil || len(page.Items) != 2 || page.Items[0].Action != "bounce.event" {
			t.Fatalf("by action: %v %s", err, r.body)
		}
		r = e.doAs(e.token, "GET", fmt.Sprintf("/api/v1/audit?action=bounce.event&before=%d", page.Items[0].Seq), nil, "")
		if err := json.Unmarshal(r.body, &page); err != nil || len(page.Items) != 1 {
			t.Fatalf("next page: %v %s", err, r.body)
		}
		r = e.doAs(e.token, "GET", "/api/v1/audit?until="+since, nil, "")
		if err := json.Unmarshal(r.body, &page); err != nil || len(page.Items) != 0 {
			t.Fatalf("until an hour ago: %v %s", err, r.body)
		}
		want(t, e.doAs(e.token, "GET", "/api/v1/audit?since=yesterday", nil, ""), 422)

		r = e.doAs(e.token, "GET", "/api/v1/verify/jobs?limit=5", nil, "")
		var vj struct {
			Jobs []verify.JobStatus `json:"jobs"`
		}
		if err := json.Unmarshal(r.body, &vj); err != nil || r.status != 200 || len(vj.Jobs) != 1 || vj.Jobs[0].Verdicts["valid"] != 1 {
			t.Fatalf("verify jobs: %d %s", r.status, r.body)
		}

		// The agent's API takes an e-mail address too, with the same rules as the form.
		r = e.doAs(e.token, "POST", "/api/v1/agent/dnc", `{"email":"Dan@Example.com","agent":"maria","how":"email"}`, "")
		if r.status != 201 || !strings.Contains(string(r.body), `"reason":"request-email"`) || !strings.Contains(string(r.body), `"scope_channel":"email"`) ||
			!strings.Contains(string(r.body), `"channel_in":"email"`) {
			t.Fatalf("agent by e-mail: %d %s", r.status, r.body)
		}
		want(t, e.doAs(e.token, "POST", "/api/v1/agent/dnc", `{"email":"dan@example.com","phone":"+4930123","agent":"maria"}`, ""), 422)
		want(t, e.doAs(e.token, "POST", "/api/v1/agent/dnc", `{"agent":"maria"}`, ""), 422)
		r = e.doAs(e.token, "POST", "/api/v1/agent/dnc", `{"phone":"+49 30 7654321","agent":"maria"}`, "")
		if r.status != 201 || !strings.Contains(string(r.body), `"reason":"request-phone"`) || !strings.Contains(string(r.body), `"scope_channel":"phone"`) {
			t.Fatalf("agent by phone: %d %s", r.status, r.body)
		}

		want(t, e.doAs(e.token, "POST", fmt.Sprintf("/api/v1/jobs/%d/cancel", f.job), nil, ""), 200)
		want(t, e.doAs(e.token, "POST", fmt.Sprintf("/api/v1/jobs/%d/retry", f.job), nil, ""), 200)
		want(t, e.doAs(e.token, "POST", "/api/v1/jobs/run", `{"kind":"audit_prune"}`, ""), 202)
		want(t, e.doAs(e.token, "POST", "/api/v1/jobs/run", `{"kind":"nonsense"}`, ""), 422)
		want(t, e.doAs(e.token, "POST", "/api/v1/jobs/999999/cancel", nil, ""), 404)
		// Another workspace's job (its import, its verification) is not this workspace's to touch.
		theirs, _, err := f.jc.Enqueue(t.Context(), jobs.VerifyArgs{WorkspaceID: e.ws + 1000, VerifyJobID: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ours, _, err := f.jc.Enqueue(t.Context(), jobs.VerifyArgs{WorkspaceID: e.ws, VerifyJobID: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want(t, e.doAs(e.token, "POST", fmt.Sprintf("/api/v1/jobs/%d/cancel", theirs), nil, ""), 404)
		want(t, e.doAs(e.token, "POST", fmt.Sprintf("/api/v1/jobs/%d/cancel", ours), nil, ""), 200)
		owner := f.login("owner@example.com", "")
		_, b := f.page("/ui/jobs", owner)
		if strings.Contains(b, fmt.Sprintf(`action="/ui/jobs/%d/`, theirs)) || !strings.Contains(b, fmt.Sprintf(`action="/ui/jobs/%d/retry"`, ours)) {
			t.Fatalf("buttons of another workspace's job %d, or none of ours %d:\n%s", theirs, ours, b)
		}
		if code, _, _ := f.post(fmt.Sprintf("/ui/jobs/%d/retry", theirs), owner, nil, true); code != http.StatusNotFound {
			t.Fatalf("retry of another workspace's job from the page: %d", code)
		}
		es, err := st.AuditEntries(t.Context(), e.ws, audit.Filter{Entity: "job"})
		if err == nil && len(es) == 4 && es[0].EntityID == strconv.FormatInt(ours, 10) {
			es = es[1:] // the cancel of our verification job, checked above
		}
		if err != nil || len(es) != 3 || es[0].Action != "job.run" || es[1].Action != "job.retry" || es[2].Action != "job.cancel" ||
			es[2].Actor.Kind != audit.Token || es[1].Changes[1].Before != "cancelled" || es[1].Changes[1].After != "available" {
			t.Fatalf("job entries: %+v, %v", es, err)
		}
	})
}

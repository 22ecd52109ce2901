package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/verify/verifytest"
	"github.com/clearlist/clearlist/internal/web"
)

// auditReadOnly are the routes that change nothing: every GET and a CORS preflight. They
// are called too, and must write no audit entry.
func auditReadOnly(pattern string) bool {
	return strings.HasPrefix(pattern, "GET ") || strings.HasPrefix(pattern, "OPTIONS ")
}

// readQuery makes read-only routes that need a question ask one (any answer is fine: they
// must write nothing either way).
var readQuery = map[string]string{
	"GET /api/v1/check":                            "?email=ann%40example.com",
	"GET /api/v1/eligibility":                      "?email=ann%40example.com&purpose=newsletter",
	"GET /api/v1/campaigns/{id}/recipients":        "?bucket=sent",
	"GET /api/v1/campaigns/{id}/recipients/export": "?bucket=excluded&format=jsonl",
	"GET /api/v1/campaigns/{id}/preview":           "?email=ann%40example.com",
}

// auditOrder puts the routes in the order the fixtures need: a confirmation after the
// sign-ups it confirms.
func auditOrder(patterns []string) []string {
	out := slices.DeleteFunc(slices.Clone(patterns), func(p string) bool { return p == "POST /confirm" })
	if len(out) < len(patterns) {
		out = append(out, "POST /confirm")
	}
	// A campaign's life: edited, started, paused, resumed, retried, tested, cancelled.
	life := []string{"PUT /api/v1/campaigns/{id}", "POST /api/v1/campaigns/{id}/start", "POST /api/v1/campaigns/{id}/pause",
		"POST /api/v1/campaigns/{id}/resume", "POST /api/v1/campaigns/{id}/retry", "POST /api/v1/campaigns/{id}/ab/pick",
		"POST /api/v1/campaigns/{id}/test",
		"POST /api/v1/campaigns/{id}/cancel"}
	n := len(out)
	out = slices.DeleteFunc(out, func(p string) bool { return slices.Contains(life, p) })
	if len(out) < n {
		out = append(out, life...)
	}
	return out
}

// auditFixture is how TestAuditEveryRoute drives one changing route: the request, and the
// actions of the entries it must leave (one, unless a route does two things on purpose).
type auditFixture struct {
	path  string // with {id} and {workspace} filled in by the fixture's ids
	ctype string // default application/json
	body  string
	// bodyOf builds the body when it depends on an earlier answer (a form's version, a link).
	bodyOf func(t *testing.T, e *auditEnv) string
	public bool     // a public page: the actor is the visitor, not a token
	want   []string // the new entries' actions, oldest first
	// settle waits for work the route started in the background (an import, a verification
	// job) before the entries are counted.
	settle func(t *testing.T, e *auditEnv, out string)
}

// auditEnv is a server with every route registered and the ids the fixtures refer to.
type auditEnv struct {
	*doiEnv
	srv   *web.Server
	token string
	tokID int64
	ids   map[string]int64
	unsub string // an unsubscribe link's token for the contact
}

func (e *auditEnv) fill(path string) string {
	return strings.NewReplacer("{workspace}", "default", "{contact}", itoa64(e.ids["contact"]),
		"{doomed}", itoa64(e.ids["doomed"]), "{list}", itoa64(e.ids["list"]), "{doomedList}", itoa64(e.ids["doomedList"]),
		"{source}", itoa64(e.ids["source"]), "{suppression}", itoa64(e.ids["suppression"]),
		"{campaign}", itoa64(e.ids["campaign"]), "{template}", itoa64(e.ids["template"]),
		"{later}", itoa64(e.ids["later"]), "{review}", itoa64(e.ids["review"]), "{unsub}", e.unsub,
		"{job}", itoa64(e.ids["job"]), "{doomedToken}", itoa64(e.ids["doomedToken"]), "{doomedHook}", itoa64(e.ids["doomedHook"]),
		"{member}", itoa64(e.ids["member"]), "{import}", itoa64(e.ids["import"])).Replace(path)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// auditFixtures returns the fixture of every route that changes something. A route the
// server registers that is neither here nor read-only fails TestAuditEveryRoute by name.
func auditFixtures() map[string]auditFixture {
	return map[string]auditFixture{
		"POST /api/v1/contacts": {path: "/api/v1/contacts", body: `{"email":"new@example.com","source":{"source_type":"api"}}`,
			want: []string{"contact.create"}},
		"PATCH /api/v1/contacts/{id}": {path: "/api/v1/contacts/{contact}", body: `{"phone":"+49 30 1234567"}`,
			want: []string{"contact.update"}},
		"DELETE /api/v1/contacts/{id}": {path: "/api/v1/contacts/{doomed}", want: []string{"contact.delete"}},
		"POST /api/v1/contacts/{id}/consents": {path: "/api/v1/contacts/{contact}/consents",
			body: `{"purpose":"newsletter","channel":"email","action":"withdrawn","basis":"consent","source_id":{source},` +
				`"evidence":{"timestamp":"2026-12-01T10:00:00Z"}}`,
			want: []string{"consent.append"}},
		"POST /api/v1/purposes": {path: "/api/v1/purposes", body: `{"name":"webinars","description":"invitations","marketing":true}`,
			want: []string{"purpose.add"}},
		"POST /api/v1/lists":               {path: "/api/v1/lists", body: `{"name":"audited"}`, want: []string{"list.create"}},
		"PATCH /api/v1/lists/{id}":         {path: "/api/v1/lists/{list}", body: `{"public":false}`, want: []string{"list.public"}},
		"DELETE /api/v1/lists/{id}":        {path: "/api/v1/lists/{doomedList}", want: []string{"list.delete"}},
		"POST /api/v1/sources":             {path: "/api/v1/sources", body: `{"source_type":"api","description":"the CRM"}`, want: []string{"source.create"}},
		"POST /api/v1/imports":             {path: "/api/v1/imports?source_type=api", ctype: "text/csv", body: "email\nimp1@example.com\nimp2@example.com\n", want: []string{"import.finish"}, settle: settleImport},
		"POST /api/v1/imports/{id}/cancel": {path: "/api/v1/imports/{import}/cancel", want: []string{"import.cancel"}},
		"POST /api/v1/suppressions":        {path: "/api/v1/suppressions", body: `{"entries":[{"value":"zed@example.com","reason":"unsubscribe"}]}`, want: []string{"suppression.add"}},
		"DELETE /api/v1/suppressions/{id}": {path: "/api/v1/suppressions/{suppression}", body: `{"why":"recorded against the wrong person"}`,
			want: []string{"suppression.remove"}},
		"POST /api/v1/agent/dnc": {path: "/api/v1/agent/dnc", body: `{"phone":"+1 (646) 555-0199","agent":"maria","note":"call 8812"}`,
			want: []string{"suppression.add"}},
		// One flag: each flag of a call is its own change (and entry) today.
		"POST /api/v1/crm/flags": {path: "/api/v1/crm/flags", body: `{"flags":[{"value":"ann.lee@gmail.com","do_not_contact":true}]}`,
			want: []string{"suppression.add"}},
		// A GET that writes: checking an address stores the result and copies the verdict onto
		// its contact, so it is audited like the other changes.
		"GET /api/v1/verify": {path: "/api/v1/verify?address=ann%40mail.test", want: []string{"verification.save"}},
		// The job's results are recorded by the River job that checks them (see settleVerifyJob).
		"POST /api/v1/verify/jobs": {path: "/api/v1/verify/jobs", body: `{"addresses":["ann@mail.test","bob@nullmx.test"]}`,
			want: []string{"verify_job.create"}, settle: settleVerifyJob},
		// Public pages: the known contact signs up (a new one would also be created, a second
		// entry), the JSON form likewise, confirms by the link, and stops contact.
		"POST /subscribe/{workspace}": {path: "/subscribe/{workspace}", ctype: "application/x-www-form-urlencoded", public: true,
			bodyOf: func(t *testing.T, e *auditEnv) string {
				_, page := e.do(t, "GET", "/subscribe/default", "", "", "Browser/1")
				return url.Values{"email": {"known@example.com"}, "shown": {"newsletter"}, "purpose": {"newsletter"},
					"form_id": {signup.FormID}, "form_version": {formVersionRE.FindStringSubmatch(page)[1]}, "list": {"signups"}}.Encode()
			},
			want: []string{"signup.create"}},
		"POST /api/public/{workspace}/subscribe": {path: "/api/public/{workspace}/subscribe", public: true,
			bodyOf: func(t *testing.T, e *auditEnv) string {
				b, _ := json.Marshal(jsonSignup("known2@example.com", "newsletter"))
				return string(b)
			},
			want: []string{"signup.create"}},
		// Runs after the sign-ups (see auditOrder), with the link mailed to the first.
		"POST /confirm": {path: "/confirm", ctype: "application/x-www-form-urlencoded", public: true,
			bodyOf: func(t *testing.T, e *auditEnv) string {
				return url.Values{"token": {tokenOf(t, e.mail.link(t, "known@example.com"))}}.Encode()
			},
			want: []string{"signup.confirm"}},
		// Campaigns, in the order they are registered: the set-up campaign is edited, started
		// (at a rate that keeps it sending), paused, resumed, retried and cancelled.
		// A second draft is scheduled (the first is started by hand below).
		"POST /api/v1/campaigns/{id}/schedule": {path: "/api/v1/campaigns/{later}/schedule", body: `{"at":"2030-01-01T09:00:00Z"}`,
			want: []string{"campaign.schedule"}},
		"POST /api/v1/campaigns": {path: "/api/v1/campaigns", body: `{"name":"audited","purpose":"newsletter","lists":[{list}],` +
			`"from_address":"news@example.com","subject":"Hi","text":"Hello"}`, want: []string{"campaign.create"}},
		"PUT /api/v1/campaigns/{id}": {path: "/api/v1/campaigns/{campaign}", body: `{"name":"spring","purpose":"newsletter",` +
			`"lists":[{list}],"from_address":"news@example.com","template_id":{template},"rate":0.01,` +
			`"ab":{"variants":[{"subject":"Hi, B"}],"sample_percent":50,"metric":"clicks","wait":"4h"}}`, want: []string{"campaign.update"}},
		"POST /api/v1/campaigns/{id}/start":  {path: "/api/v1/campaigns/{campaign}/start", want: []string{"campaign.start"}},
		"POST /api/v1/campaigns/{id}/pause":  {path: "/api/v1/campaigns/{campaign}/pause", body: `{"reason":"copy check"}`, want: []string{"campaign.pause"}},
		"POST /api/v1/campaigns/{id}/resume": {path: "/api/v1/campaigns/{campaign}/resume", want: []string{"campaign.resume"}},
		// Nothing failed: nothing queued again, nothing written.
		"POST /api/v1/campaigns/{id}/retry":  {path: "/api/v1/campaigns/{campaign}/retry", body: `{"state":"failed"}`},
		"POST /api/v1/campaigns/{id}/cancel": {path: "/api/v1/campaigns/{campaign}/cancel", want: []string{"campaign.cancel"}},
		// The campaign's A/B test (set by the edit above) is decided by hand while it sends.
		"POST /api/v1/campaigns/{id}/ab/pick": {path: "/api/v1/campaigns/{campaign}/ab/pick", body: `{"variant":"B"}`,
			want: []string{"campaign.ab-decided"}},
		// A test message goes to the outbox and writes nothing.
		"POST /api/v1/campaigns/{id}/test": {path: "/api/v1/campaigns/{campaign}/test", body: `{"to":"me@example.com"}`},
		"POST /api/v1/transactional": {path: "/api/v1/transactional", body: `{"to":"ann@example.com","purpose":"security-notices",` +
			`"subject":"New sign-in","text":"A new sign-in to your account."}`, want: []string{"transactional.send"}},
		"POST /api/v1/jobs/run":         {path: "/api/v1/jobs/run", body: `{"kind":"doi_expiry"}`, want: []string{"job.run"}},
		"POST /api/v1/jobs/{id}/cancel": {path: "/api/v1/jobs/{job}/cancel", want: []string{"job.cancel"}},
		"POST /api/v1/jobs/{id}/retry":  {path: "/api/v1/jobs/{job}/retry", want: []string{"job.retry"}},
		"POST /api/v1/bounce/reviews/{id}": {path: "/api/v1/bounce/reviews/{review}", body: `{"decision":"stop"}`,
			want: []string{"suppression.add", "bounce.review"}},
		"POST /api/v1/templates": {path: "/api/v1/templates", body: `{"name":"audited","subject":"Hi","html":"<p>Hello</p>"}`,
			want: []string{"template.create"}},
		"PUT /api/v1/templates/{id}": {path: "/api/v1/templates/{template}", body: `{"name":"welcome","subject":"Hi","text":"Hello again"}`,
			want: []string{"template.update"}},
		"POST /stop/{workspace}": {path: "/stop/{workspace}", ctype: "application/x-www-form-urlencoded", public: true,
			body: url.Values{"value": {"stopper@example.com"}}.Encode(), want: []string{"suppression.add"}},
		// The RFC 8058 one-click POST of a campaign message's link (the page's form is the same route).
		"POST /u/{token}": {path: "/u/{unsub}", ctype: "application/x-www-form-urlencoded", public: true,
			body: "List-Unsubscribe=One-Click", want: []string{"suppression.add"}},
		// The admin UI's settings, people and assessments, by token (an admin token: no owner).
		"PUT /api/v1/settings": {path: "/api/v1/settings", body: `{"group":"tracking","values":{"tracking.opens":"true"}}`,
			want: []string{"setting.set"}},
		"POST /api/v1/dkim": {path: "/api/v1/dkim", body: `{"domain":"example.com","selector":"cl2026","algorithm":"ed25519"}`,
			want: []string{"dkim.generate"}},
		"POST /api/v1/tokens":          {path: "/api/v1/tokens", body: `{"name":"crm-sync","role":"agent"}`, want: []string{"token.create"}},
		"DELETE /api/v1/tokens/{id}":   {path: "/api/v1/tokens/{doomedToken}", want: []string{"token.revoke"}},
		"POST /api/v1/webhooks":        {path: "/api/v1/webhooks", body: `{"url":"https://crm.example.com/hook"}`, want: []string{"webhook.create"}},
		"DELETE /api/v1/webhooks/{id}": {path: "/api/v1/webhooks/{doomedHook}", want: []string{"webhook.disable"}},
		// The account itself is recorded in the instance's trail (user.add); the workspace's
		// trail has the role given in it.
		"POST /api/v1/users": {path: "/api/v1/users", body: `{"email":"new.member@example.com","password":"a long enough passphrase","role":"marketer"}`,
			want: []string{"user.role"}},
		"PATCH /api/v1/users/{id}": {path: "/api/v1/users/{member}", body: `{"role":"compliance"}`, want: []string{"user.role"}},
		"PUT /api/v1/purposes/{name}/lia": {path: "/api/v1/purposes/newsletter/lia",
			body: `{"purpose_text":"news for customers","necessity":"no other way","balancing":"they expect it","approved_by":"dpo@example.com"}`,
			want: []string{"lia.set"}},
	}
}

// TestAuditEveryRoute drives every route the server registers — the /api/v1 route table
// and the public pages — and checks the audit trail after each: a changing route leaves
// exactly its entries, by the token (id, name, role) or the public visitor; a read-only
// route leaves none. A route with neither a fixture nor a read-only verb fails by name, so
// a new route cannot go unaudited unnoticed.
func TestAuditEveryRoute(t *testing.T) {
	dnsAddr := verifytest.Zone(t)
	forEachEngine(t, func(t *testing.T, dsn string) {
		e := newAuditEnv(t, dsn, dnsAddr)
		fixtures := auditFixtures()
		patterns := auditOrder(e.srv.Patterns())
		for _, r := range web.APIRoutes() {
			if !slices.Contains(patterns, r.Pattern) {
				t.Errorf("%s is in the route table but the test server did not register it; give the test what it needs", r.Pattern)
			}
		}
		for name := range fixtures {
			if !slices.Contains(patterns, name) {
				t.Errorf("fixture for %s, which the server does not register: remove it", name)
			}
		}
		ctx := context.Background()
		ws := e.a.Workspace.ID
		for _, p := range patterns {
			method, path, _ := strings.Cut(p, " ")
			f, ok := fixtures[p]
			switch {
			case ok:
			case auditReadOnly(p):
				f = auditFixture{path: pathParam.ReplaceAllString(path, "{contact}") + readQuery[p]}
				f.path = strings.Replace(f.path, "/lists/{contact}", "/lists/{list}", 1)
				f.path = strings.Replace(f.path, "/sources/{contact}", "/sources/{source}", 1)
			default:
				t.Errorf("%s changes something but has no fixture in auditFixtures (internal/app/audit_complete_test.go): "+
					"add one naming the audit entries it writes", p)
				continue
			}
			before, err := e.a.st.AuditEntries(ctx, ws, audit.Filter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if f.bodyOf != nil {
				f.body = f.bodyOf(t, e)
			}
			body := e.fill(f.body)
			ctype := f.ctype
			if ctype == "" && body != "" {
				ctype = "application/json"
			}
			var code int
			var out string
			if strings.HasPrefix(path, "/api/v1/") || path == "/metrics" {
				code, out = apiCall(t, method, e.ts.URL+e.fill(f.path), e.token, ctype, body)
			} else {
				code, out = e.do(t, method, e.fill(f.path), ctype, body, "AuditTest/1")
			}
			if code >= 400 && ok {
				t.Errorf("%s: %d %s", p, code, out)
				continue
			}
			if f.settle != nil {
				f.settle(t, e, out)
			}
			after, err := e.a.st.AuditEntries(ctx, ws, audit.Filter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			// Background jobs (the periodic ones, a verification job) write as themselves.
			fresh := slices.DeleteFunc(slices.Clone(after[:len(after)-len(before)]), func(en audit.Entry) bool {
				return en.Actor.Kind == audit.Job
			})
			var actions []string
			for i := len(fresh) - 1; i >= 0; i-- {
				actions = append(actions, fresh[i].Action)
			}
			if !slices.Equal(actions, f.want) {
				t.Errorf("%s wrote the audit entries %v, want %v", p, actions, f.want)
			}
			for _, en := range fresh {
				a := en.Actor
				switch {
				case f.public && (a.Kind != audit.Public || !strings.HasPrefix(a.ID, audit.PersonalPrefix) || a.RequestID == ""):
					t.Errorf("%s: entry %s by %+v, want the public visitor (keyed hash of the IP) with a request id", p, en.Action, a)
				case !f.public && (a.Kind != audit.Token || a.ID != itoa64(e.tokID) || a.Role != store.RoleAdmin || a.RequestID == ""):
					t.Errorf("%s: entry %s by %+v, want token %d (admin) with a request id", p, en.Action, a, e.tokID)
				}
			}
		}
		if r, err := e.a.Audit.Verify(ctx, ws); err != nil || r.Broken != nil {
			t.Fatalf("audit trail after every route: %+v, %v", r, err)
		}
	})
}

// newAuditEnv serves every route (imports, verification, double opt-in, stop page) on a
// workspace with a contact, a list, a source and a do-not-contact entry to change.
func newAuditEnv(t *testing.T, dsn, dnsAddr string) *auditEnv {
	t.Helper()
	a := openApp(t, dsn)
	a.Cfg.DataDir = t.TempDir()
	a.Campaigns = a.newCampaigns() // its test sends go to this data folder's outbox
	a.Transactional = a.newTransactional()
	if err := a.Workspaces.SetSetting(context.Background(), a.Workspace.ID, "transactional.from", "Shop <orders@example.com>"); err != nil {
		t.Fatal(err)
	}
	useDNS(a, dnsAddr)
	mail, addr := startMailbox(t)
	doi := a.NewDOI("", &deliver.SMTP{Addr: addr, TLS: deliver.TLSNone, Timeout: 5 * time.Second})
	jc := startJobs(t, a) // uploads and verification jobs run on River
	srv := web.New(web.Config{DOI: doi, Suppressions: a.Suppressions, Verifier: a.Verify, Eligibility: a.Elig, Contacts: a.Contacts,
		Consents: a.Consents, Jobs: a.JobOps(jc), Tokens: a.Tokens, Audit: a.Audit, Health: a.Ping, PublicRate: 1000, Logger: a.Log,
		DataDir: a.Cfg.DataDir, Unsubscribe: a.Unsub, Tracker: a.Track, Campaigns: a.Campaigns,
		Reports: a.Reports, Transactional: a.Transactional, Bounces: a.Bounces,
		Workspaces: a.Workspaces, DKIM: a.DKIM, TokenAdmin: a.Tokens, Webhooks: a.Webhooks, Accounts: a.Users}, a.importService().Uploads(jc))
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	doi.PublicURL = ts.URL
	e := &auditEnv{doiEnv: &doiEnv{a: a, doi: doi, ts: ts, mail: mail}, srv: srv, ids: map[string]int64{}}

	setup := audit.WithActor(context.Background(), audit.Actor{Kind: audit.System, Name: "test setup"})
	tok, secret, err := a.st.CreateTokenWithRole(setup, a.Workspace.ID, "auditor", store.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	e.token, e.tokID = secret, tok.ID
	publicList(t, a.st, a.Workspace.ID, "signups")
	src, err := a.st.CreateSource(setup, contact.Source{WorkspaceID: a.Workspace.ID, Type: "api"})
	if err != nil {
		t.Fatal(err)
	}
	e.ids["source"] = src.ID
	// An import recorded and waiting for its job (none runs here): one to cancel.
	queued, err := a.st.CreateImport(setup, store.Import{WorkspaceID: a.Workspace.ID, SourceID: src.ID, FileName: "queued.csv", OnConflict: "update"})
	if err != nil {
		t.Fatal(err)
	}
	e.ids["import"] = queued.ID
	for _, c := range []struct{ key, email string }{{"contact", "ann@example.com"}, {"doomed", "gone@example.com"},
		{"known", "known@example.com"}, {"known2", "known2@example.com"}} {
		made, err := a.st.CreateContact(setup, contact.Contact{WorkspaceID: a.Workspace.ID, Email: c.email,
			EmailCanonical: c.email, FirstSourceID: src.ID, Status: contact.StatusActive}, nil)
		if err != nil {
			t.Fatal(err)
		}
		e.ids[c.key] = made.ID
	}
	for _, l := range []struct{ key, name string }{{"list", "news"}, {"doomedList", "old"}} {
		made, err := a.st.CreateList(setup, contact.List{WorkspaceID: a.Workspace.ID, Name: l.name})
		if err != nil {
			t.Fatal(err)
		}
		e.ids[l.key] = made.ID
	}
	code, out := apiCall(t, "POST", ts.URL+"/api/v1/suppressions", secret, "application/json",
		`{"entries":[{"value":"wrong@example.com","reason":"manual"}]}`)
	var added struct {
		Items []struct{ ID int64 } `json:"added"`
	}
	if code != 201 || json.Unmarshal([]byte(out), &added) != nil || len(added.Items) != 1 {
		t.Fatalf("setup suppression: %d %s", code, out)
	}
	e.ids["suppression"] = added.Items[0].ID
	links, err := a.Unsub.Links(setup, a.Workspace.ID, ts.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	l, err := links.For(e.ids["contact"], 1, "newsletter")
	if err != nil {
		t.Fatal(err)
	}
	e.unsub = l.Token
	seedCampaign(t, setup, e)
	// A reply that may ask to stop, queued for a person (POST /api/v1/bounce/reviews/{id}).
	if _, err := a.Bounces.Record(setup, a.Workspace.ID, []bounce.Event{{Kind: bounce.KindReplied, Address: "known2@example.com",
		Text: strings.Repeat("Thanks for the news, we read every issue with interest. ", 5) + "The bus stop moved."}}); err != nil {
		t.Fatal(err)
	}
	rs, err := a.Bounces.Reviews(setup, a.Workspace.ID, false)
	if err != nil || len(rs) != 1 {
		t.Fatalf("setup review: %+v, %v", rs, err)
	}
	e.ids["review"] = rs[0].ID
	// A job to retry and cancel (POST /api/v1/jobs/{id}/…), queued without an entry.
	j, err := jc.RunNow(setup, "implied_consent_lapse")
	if err != nil {
		t.Fatal(err)
	}
	e.ids["job"] = j.ID
	// A token to revoke, a webhook to disable and a person whose role to change.
	doomed, _, err := a.st.CreateTokenWithRole(setup, a.Workspace.ID, "doomed", store.RoleMarketer)
	if err != nil {
		t.Fatal(err)
	}
	hook, err := a.Webhooks.Create(setup, a.Workspace.ID, "https://old.example.com/hook")
	if err != nil {
		t.Fatal(err)
	}
	member, err := a.Users.Add(setup, "member@example.com", "", "a long enough passphrase", a.Workspace.ID, "marketer")
	if err != nil {
		t.Fatal(err)
	}
	e.ids["doomedToken"], e.ids["doomedHook"], e.ids["member"] = doomed.ID, hook.ID, member.ID
	return e
}

// seedCampaign gives the campaign routes a draft campaign on the news list, whose members
// have consent to the newsletter, and a saved template.
func seedCampaign(t *testing.T, setup context.Context, e *auditEnv) {
	t.Helper()
	a, ws := e.a, e.a.Workspace.ID
	for name, v := range map[string]string{"sender.name": "Example Ltd", "sender.postal_address": "1 High St, London"} {
		if err := a.Workspaces.SetSetting(setup, ws, name, v); err != nil { // the footer a start requires
			t.Fatal(err)
		}
	}
	for i := range 3 {
		email := fmt.Sprintf("reader%d@example.com", i)
		c, err := a.st.CreateContact(setup, contact.Contact{WorkspaceID: ws, Email: email, EmailCanonical: email,
			FirstSourceID: e.ids["source"], Status: contact.StatusActive}, []int64{e.ids["list"]})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.st.AppendConsent(setup, consent.Entry{WorkspaceID: ws, ContactID: c.ID, Purpose: "newsletter",
			Channel: consent.Email, Action: consent.Granted, Basis: consent.BasisConsent, Actor: "test",
			Evidence: consent.Evidence{Timestamp: time.Now().Add(-time.Hour), Wording: "Send me the newsletter"}}); err != nil {
			t.Fatal(err)
		}
	}
	tp, err := a.Campaigns.AddTemplate(setup, campaign.Template{WorkspaceID: ws, Name: "welcome",
		Content: campaign.Content{Subject: "Hi", HTML: "<p>Hello</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Campaigns.Create(setup, campaign.Campaign{WorkspaceID: ws, Name: "spring", Purpose: "newsletter",
		Lists: []int64{e.ids["list"]}, FromAddress: "news@example.com", TemplateID: tp.ID, Rate: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	later, err := a.Campaigns.Create(setup, campaign.Campaign{WorkspaceID: ws, Name: "winter", Purpose: "newsletter",
		Lists: []int64{e.ids["list"]}, FromAddress: "news@example.com", TemplateID: tp.ID})
	if err != nil {
		t.Fatal(err)
	}
	e.ids["template"], e.ids["campaign"], e.ids["later"] = tp.ID, c.ID, later.ID
}

// settleImport waits for the uploaded import to finish.
func settleImport(t *testing.T, e *auditEnv, out string) {
	t.Helper()
	var im struct{ ID int64 }
	if err := json.Unmarshal([]byte(out), &im); err != nil || im.ID == 0 {
		t.Fatalf("import answer %s", out)
	}
	waitFor(t, func() bool {
		_, body := apiCall(t, "GET", fmt.Sprintf("%s/api/v1/imports/%d", e.ts.URL, im.ID), e.token, "", "")
		return strings.Contains(body, `"status":"done"`)
	})
}

// settleVerifyJob waits for the verification job to finish.
func settleVerifyJob(t *testing.T, e *auditEnv, out string) {
	t.Helper()
	var j struct{ ID int64 }
	if err := json.Unmarshal([]byte(out), &j); err != nil || j.ID == 0 {
		t.Fatalf("verification job answer %s", out)
	}
	waitFor(t, func() bool {
		_, body := apiCall(t, "GET", fmt.Sprintf("%s/api/v1/verify/jobs/%d", e.ts.URL, j.ID), e.token, "", "")
		return strings.Contains(body, `"state":"done"`)
	})
	es, err := e.a.st.AuditEntries(context.Background(), e.a.Workspace.ID, audit.Filter{Entity: "verification", Limit: 1})
	if err != nil || len(es) != 1 || es[0].Actor.Kind != audit.Job {
		t.Errorf("the verification job's results: %+v, %v; want a verification.save by the job", es, err)
	}
}

func waitFor(t *testing.T, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatal("waited 20 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

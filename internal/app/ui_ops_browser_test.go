package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/verify/verifytest"
)

// TestBrowserOpsPages walks the operations pages in a real browser against a serving app:
// an agent records a person's stop request through the form; a compliance user finds it on
// the do-not-contact list, decides a reply in the review queue, starts a verification of a
// list, follows a running job's progress without a reload (htmx) until it is done, and finds
// the agent's entry in the audit log; the job queue lists the verification job. Screenshots
// as TestBrowserAdminPages.
func TestBrowserOpsPages(t *testing.T) {
	ctx := browser(t)
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	useDNS(a, verifytest.Zone(t))
	actx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	ws := a.Workspace.ID
	for _, u := range []struct{ email, role string }{{"agent@example.com", access.RoleAgent}, {"dpo@example.com", access.RoleCompliance}} {
		if _, err := a.Users.Add(actx, u.email, "", "a long enough passphrase", ws, u.role); err != nil {
			t.Fatal(err)
		}
	}
	src, err := a.st.CreateSource(actx, contact.Source{WorkspaceID: ws, Type: "api"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := a.st.CreateList(actx, contact.List{WorkspaceID: ws, Name: "newsletter"})
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"ann@mail.test", "bob@nullmx.test", "reader@mail.test"} {
		if _, err := a.st.CreateContact(actx, contact.Contact{WorkspaceID: ws, Email: addr, EmailCanonical: addr,
			FirstSourceID: src.ID, Status: contact.StatusActive}, []int64{l.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Bounces.Record(actx, ws, []bounce.Event{
		{Kind: bounce.KindBounced, Address: "bob@nullmx.test", Reason: "hostunknown", Hard: true, Status: "5.1.2",
			Diagnostic: `550 5.1.2 <bob@nullmx.test>: domain accepts no mail <script>alert(1)</script>`},
		{Kind: bounce.KindReplied, Address: "reader@mail.test",
			Text: strings.Repeat("Thanks for the news, we read every issue. ", 4) + "The bus stop moved."}}); err != nil {
		t.Fatal(err)
	}
	base, stop := startServer(t, a)
	defer stop()

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	tab := browserTab{t, ctx}
	text, must := tab.text, tab.must
	shoot := tab.shooter()
	login := func(email string) {
		t.Helper()
		must(chromedp.Navigate(base+"/login"), chromedp.WaitVisible(css(`#email`)),
			chromedp.SendKeys(css(`#email`), email), chromedp.SendKeys(css(`#password`), "a long enough passphrase"),
			chromedp.Click(css(`button[type=submit]`)), chromedp.WaitVisible(css(`#whoami`)))
	}
	// submit sends a GET form and waits for the page it leads to, which has the same table as
	// the page before: the old page is marked, and gone once the new one is there.
	submit := func(button string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.dataset.stale = "1", true`)); err != nil {
			t.Fatal(err)
		}
		must(chromedp.Click(css(button)), chromedp.WaitNotPresent(css(`body[data-stale]`)))
	}
	must(chromedp.EmulateViewport(1024, 700))

	// The agent: the menu holds the stop-request form only; the request is recorded.
	login("agent@example.com")
	if nav := text(`nav`); !strings.Contains(nav, "Stop requests") || strings.Contains(nav, "Do-not-contact") || strings.Contains(nav, "Audit") {
		t.Fatalf("agent's menu: %q", nav)
	}
	must(chromedp.Click(css(`nav a[href="/ui/dnc/request"]`)), chromedp.WaitVisible(css(`#value`)))
	must(chromedp.SendKeys(css(`#value`), "+49 30 1234567"), chromedp.SetValue(css(`#how`), "phone"),
		chromedp.SetValue(css(`#scope`), "all"), chromedp.SendKeys(css(`#note`), "call 4711"))
	shoot("ops-stop-request")
	must(chromedp.Click(css(`#record`)), chromedp.WaitVisible(css(`#done`)))
	if got := text(`#done`); !strings.Contains(got, "Recorded: +49 30 1234567 is on the do-not-contact list.") {
		t.Fatalf("after recording: %q", got)
	}
	must(chromedp.Click(css(`#logout`)), chromedp.WaitVisible(css(`#email`)))

	// Compliance: the entry, with its deadline and who recorded it.
	login("dpo@example.com")
	must(chromedp.Click(css(`nav a[href="/ui/dnc"]`)), chromedp.WaitVisible(css(`#dnc-q`)))
	must(chromedp.SendKeys(css(`#dnc-q`), "+49301234567"))
	submit(`#dnc-search`)
	must(chromedp.WaitVisible(css(`#dnc-entries`)))
	if row := text(`#dnc-entries tbody`); !strings.Contains(row, "+49301234567") || !strings.Contains(row, "request-phone") ||
		!strings.Contains(row, "agent@example.com") || !strings.Contains(row, "call 4711") {
		t.Fatalf("compliance's search: %q", row)
	}
	shoot("ops-dnc")

	// The bounce's diagnostic is text; the reply is decided from its excerpt.
	must(chromedp.Click(css(`nav a[href="/ui/bounces"]`)), chromedp.WaitVisible(css(`#bounce-events`)))
	if diag := text(`#bounce-events tbody`); !strings.Contains(diag, "<script>alert(1)</script>") {
		t.Fatalf("diagnostic: %q", diag)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("main script").length`)); err != nil || n != 0 {
		t.Fatalf("scripts in the page body: %d %v", n, err)
	}
	shoot("ops-bounces")
	must(chromedp.Click(css(`button[value=dismiss]`)), chromedp.WaitVisible(css(`#done`)))
	if got := text(`#done`); !strings.Contains(got, "reader@mail.test: not a stop request") {
		t.Fatalf("after deciding: %q", got)
	}

	// A verification of the list, followed live until it is done.
	must(chromedp.Click(css(`nav a[href="/ui/verify"]`)), chromedp.WaitVisible(css(`#start-verify`)))
	must(chromedp.SetValue(css(`#list`), "newsletter"), chromedp.SetValue(css(`#days`), "0"), chromedp.Click(css(`#start-verify`)),
		chromedp.WaitVisible(css(`#verify-progress`)))
	must(chromedp.Poll[chromedp.Void](`document.querySelector("#verify-state") && document.querySelector("#verify-state").textContent === "done"`))
	if got := text(`#verify-progress`); !strings.Contains(got, "3 of 3") {
		t.Fatalf("progress: %q", got)
	}
	shoot("ops-verify")
	// A job still running: its page follows it without a reload (htmx asks every second) and
	// stops asking once it is done.
	vj, err := a.st.CreateVerifyJob(actx, ws, []string{"x@mail.test", "y@mail.test"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	must(chromedp.Navigate(fmt.Sprintf("%s/ui/verify/jobs/%d", base, vj)), chromedp.WaitVisible(css(`#verify-progress[hx-get]`)))
	if got := text(`#verify-state`); got != "running" {
		t.Fatalf("new job: %q", got)
	}
	if err := a.st.UpdateVerifyJob(actx, ws, vj, 1, map[string]int{"deliverable": 1}, "running", ""); err != nil {
		t.Fatal(err)
	}
	must(chromedp.Poll[chromedp.Void](`document.querySelector("#verify-progress").textContent.includes("1 of 2")`))
	if err := a.st.UpdateVerifyJob(actx, ws, vj, 2, map[string]int{"deliverable": 2}, "done", ""); err != nil {
		t.Fatal(err)
	}
	must(chromedp.Poll[chromedp.Void](`document.querySelector("#verify-state").textContent === "done"`),
		chromedp.WaitNotPresent(css(`#verify-progress[hx-get]`)))

	// The audit log: the agent's entry, filtered by actor.
	must(chromedp.Click(css(`nav a[href="/ui/audit"]`)), chromedp.WaitVisible(css(`#audit-actor`)))
	must(chromedp.SendKeys(css(`#audit-actor`), "agent@example.com"))
	submit(`#audit-filter`)
	must(chromedp.WaitVisible(css(`#audit-entries`)))
	if rows := text(`#audit-entries tbody`); !strings.Contains(rows, "suppression.add") || strings.Contains(rows, "bounce.review") {
		t.Fatalf("audit by the agent: %q", rows)
	}
	shoot("ops-audit")

	// The job queue lists the verification job; compliance sees no retry or cancel button.
	must(chromedp.Click(css(`nav a[href="/ui/jobs"]`)), chromedp.WaitVisible(css(`#jobs`)))
	if rows := text(`#jobs tbody`); !strings.Contains(rows, "verify") {
		t.Fatalf("jobs: %q", rows)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#jobs button").length`)); err != nil || n != 0 {
		t.Fatalf("compliance's job buttons: %d %v", n, err)
	}
	shoot("ops-jobs")

	// On a phone-sized screen nothing runs off the side: wide tables scroll in their own box.
	for _, path := range []string{"/ui/dnc", "/ui/bounces", "/ui/verify", "/ui/audit", "/ui/jobs", "/ui/dnc/request"} {
		must(chromedp.EmulateViewport(390, 800), chromedp.Navigate(base+path), chromedp.WaitVisible(css(`#whoami`)))
		over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil || over {
			t.Errorf("%s at 390 px: wider than the screen (%v)", path, err)
		}
	}
	shoot("ops-request-narrow")
}

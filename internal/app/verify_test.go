package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/verify"
	"github.com/clearlist/clearlist/internal/verify/verifytest"
)

// TestVerifyContacts: verdicts are stored per address and reach the campaign verdict: an
// undeliverable address is not mailed; a risky one only until the workspace excludes risky
// addresses; the probe needs the workspace's consent; stale results are checked again.
func TestVerifyContacts(t *testing.T) {
	dnsAddr := verifytest.Zone(t)
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		useDNS(a, dnsAddr)
		ctx := context.Background()
		emails := []string{"ann@mail.test", "bob@nullmx.test", "cy@nowhere.test", "info@mail.test"}
		var b strings.Builder
		b.WriteString("email\n")
		for _, e := range emails {
			b.WriteString(e + "\n")
		}
		importFile(t, a, writeFile(t, "v.csv", []byte(b.String())), func(r *contact.ImportRequest) { r.List = "v" })
		for _, e := range emails {
			c, _ := a.st.ContactByEmail(ctx, a.Workspace.ID, e)
			ledger(t, a, c, "newsletter", "email", "gc")
		}
		got := map[string]verify.Result{}
		due, err := a.Verify.AddressesDue(ctx, a.Workspace.ID, "", time.Unix(1, 0))
		if err != nil || len(due) != 4 {
			t.Fatalf("due = %v, %v", due, err)
		}
		err = a.Verify.Check(ctx, a.Workspace.ID, slices.Values(due), verify.CheckOptions{Store: true}, func(r verify.Result) { got[r.Address] = r })
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]verify.Verdict{"ann@mail.test": verify.Unknown, "bob@nullmx.test": verify.Undeliverable,
			"cy@nowhere.test": verify.Undeliverable, "info@mail.test": verify.Risky}
		for e, v := range want {
			if got[e].Verdict != v && !(v == verify.Unknown && got[e].Verdict == verify.Deliverable) {
				t.Errorf("%s: %s %v, want %s", e, got[e].Verdict, got[e].Reasons, v)
			}
		}
		elig := func(e string) policy.Eligibility {
			r, err := a.Elig.Eligibility(ctx, a.Workspace.ID, e, "newsletter", "email")
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		if r := elig("bob@nullmx.test"); r.Allowed || !hasReason(r, "vfy-01") {
			t.Fatalf("undeliverable address allowed: %+v", r)
		}
		if r := elig("info@mail.test"); !r.Allowed {
			t.Fatalf("risky address refused before the workspace excludes risky ones: %+v", r)
		}
		if err := a.Workspaces.SetSetting(ctx, a.Workspace.ID, SettingExcludeRisky, "yes"); err == nil {
			t.Fatal("a setting of 'yes' accepted")
		}
		if err := a.Workspaces.SetSetting(ctx, a.Workspace.ID, SettingExcludeRisky, "true"); err != nil {
			t.Fatal(err)
		}
		if r := elig("info@mail.test"); r.Allowed || !hasReason(r, "vfy-02") {
			t.Fatalf("risky address allowed although excluded: %+v", r)
		}
		if r := elig("ann@mail.test"); !r.Allowed {
			t.Fatalf("good address refused: %+v", r)
		}
		err = a.Verify.Check(ctx, a.Workspace.ID, slices.Values([]string{"ann@mail.test"}), verify.CheckOptions{Probe: true}, nil)
		if err == nil || !strings.Contains(err.Error(), SettingProbe) {
			t.Fatalf("probe without the workspace's setting: %v", err)
		}
		// Results older than the re-verification age are checked again.
		if n, err := a.Verify.Reverify(ctx, 90, time.Now().AddDate(0, 0, 91)); err != nil || n != 4 {
			t.Fatalf("Reverify = %d, %v", n, err)
		}
		if n, _ := a.Verify.Reverify(ctx, 90, time.Now()); n != 0 {
			t.Fatalf("fresh results re-verified: %d", n)
		}
	})
}

// TestServeVerify: one address and a background job through the API.
func TestServeVerify(t *testing.T) {
	dnsAddr := verifytest.Zone(t)
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		useDNS(a, dnsAddr)
		ctx := context.Background()
		importFile(t, a, writeFile(t, "v.csv", []byte("email\nann@mail.test\nbob@nullmx.test\nsales@gmial.com\n")), func(r *contact.ImportRequest) { r.List = "v" })
		_, token, _ := a.st.CreateToken(ctx, a.Workspace.ID, "t")
		base, stop := startServer(t, a)
		defer stop()
		code, out := apiCall(t, "GET", base+"/api/v1/verify?address=bob%40nullmx.test", token, "", "")
		if code != 200 || !strings.Contains(out, `"verdict":"undeliverable"`) || !strings.Contains(out, "null-mx") {
			t.Fatalf("verify one: %d %s", code, out)
		}
		if code, out := apiCall(t, "GET", base+"/api/v1/verify?address=x%40mail.test&probe=true", token, "", ""); code != 422 || !strings.Contains(out, "verify.probe") {
			t.Fatalf("probe without the setting: %d %s", code, out)
		}
		if code, _ := apiCall(t, "POST", base+"/api/v1/verify/jobs", token, "application/json", `{}`); code != 422 {
			t.Fatalf("empty job accepted: %d", code)
		}
		code, out = apiCall(t, "POST", base+"/api/v1/verify/jobs", token, "application/json", `{"list":"v"}`)
		if code != 202 || !strings.Contains(out, `"total":3`) {
			t.Fatalf("start job: %d %s", code, out)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, out = apiCall(t, "GET", base+"/api/v1/verify/jobs/1", token, "", "")
			if strings.Contains(out, `"state":"done"`) || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !strings.Contains(out, `"done":3`) || !strings.Contains(out, `"undeliverable":2`) {
			t.Fatalf("job: %s", out)
		}
		if v, err := a.st.VerificationOf(ctx, a.Workspace.ID, "sales@gmial.com"); err != nil || v.Suggestion != "sales@gmail.com" {
			t.Fatalf("stored typo result: %+v, %v", v, err)
		}
		if code, _ := apiCall(t, "GET", base+"/api/v1/verify/jobs/99", token, "", ""); code != 404 {
			t.Fatalf("unknown job: %d", code)
		}
		// An upload with verify=true checks its addresses once imported.
		code, out = apiCall(t, "POST", base+"/api/v1/imports?list=later&source_type=api&verify=true", token, "text/csv", "email\nlate@nullmx.test\n")
		if code != 202 {
			t.Fatalf("upload: %d %s", code, out)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			v, err := a.st.VerificationOf(ctx, a.Workspace.ID, "late@nullmx.test")
			if err == nil {
				if v.Verdict != "undeliverable" {
					t.Fatalf("uploaded address verified as %+v", v)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the uploaded address was not verified: %v", err)
			}
		}
	})
}

// TestVerifyWorkspaceLists: a workspace's changes to the embedded lists apply to its checks
// only; a value that is not a domain is refused.
func TestVerifyWorkspaceLists(t *testing.T) {
	a := openApp(t, storetest.SQLiteDSN(t))
	ctx := context.Background()
	other, err := a.st.EnsureWorkspace(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	check := func(ws int64, addr string) verify.Result {
		t.Helper()
		var out verify.Result
		if err := a.Verify.Check(ctx, ws, slices.Values([]string{addr}), verify.CheckOptions{Offline: true}, func(r verify.Result) { out = r }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if r := check(a.Workspace.ID, "einkauf@firma.example"); r.Has(verify.ReasonRole) {
		t.Fatalf("einkauf is a role before the workspace says so: %+v", r)
	}
	if err := a.Workspaces.SetSetting(ctx, a.Workspace.ID, "verify.role.add", "einkauf, vertrieb"); err != nil {
		t.Fatal(err)
	}
	if err := a.Workspaces.SetSetting(ctx, a.Workspace.ID, "verify.disposable.add", "trash.example"); err != nil {
		t.Fatal(err)
	}
	if r := check(a.Workspace.ID, "einkauf@firma.example"); !r.Has(verify.ReasonRole) {
		t.Fatalf("workspace role not applied: %+v", r)
	}
	if r := check(a.Workspace.ID, "x@trash.example"); !r.Has(verify.ReasonDisposable) {
		t.Fatalf("workspace disposable domain not applied: %+v", r)
	}
	if r := check(other.ID, "einkauf@firma.example"); r.Has(verify.ReasonRole) {
		t.Fatalf("one workspace's lists leak into another's: %+v", r)
	}
	if err := a.Workspaces.SetSetting(ctx, a.Workspace.ID, "verify.free.add", "not a domain!"); err == nil {
		t.Fatal("a bad domain accepted")
	}
}

// TestResumeVerifyJob: a job left running (the server stopped) is queued again at the next
// start, skips the addresses it had checked and finishes with each address counted once.
func TestResumeVerifyJob(t *testing.T) {
	dnsAddr := verifytest.Zone(t)
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		useDNS(a, dnsAddr)
		ctx := context.Background()
		started := time.Now().Add(-time.Minute).UTC().Truncate(time.Microsecond)
		addrs := []string{"a@mail.test", "b@nullmx.test", "c@gone.test"}
		id, err := a.st.CreateVerifyJob(ctx, a.Workspace.ID, addrs, started)
		if err != nil {
			t.Fatal(err)
		}
		// a@ and b@ were checked before the stop, b@ after the last progress was recorded; neither
		// must be redone, and each is counted once.
		if err := a.st.SaveVerifications(ctx, a.Workspace.ID, []store.Verification{
			{Address: "a@mail.test", Verdict: "deliverable", CheckedAt: started.Add(time.Second)},
			{Address: "b@nullmx.test", Verdict: "undeliverable", CheckedAt: started.Add(2 * time.Second)}}); err != nil {
			t.Fatal(err)
		}
		if err := a.st.UpdateVerifyJob(ctx, a.Workspace.ID, id, 1, map[string]int{"deliverable": 1}, "running", ""); err != nil {
			t.Fatal(err)
		}
		_, stop, err := a.serveJobs(ctx, ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer stop(ctx)
		var j verify.JobStatus
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if j, err = a.Verify.JobStatus(ctx, a.Workspace.ID, id); err != nil {
				t.Fatal(err)
			}
			if j.State != "running" || time.Now().After(deadline) {
				break
			}
		}
		if j.State != "done" || j.Done != 3 || j.Verdicts["undeliverable"] != 2 || j.Verdicts["deliverable"] != 1 || j.FinishedAt == nil {
			t.Fatalf("resumed job: %+v", j)
		}
		for i, addr := range addrs[:2] {
			if v, _ := a.st.VerificationOf(ctx, a.Workspace.ID, addr); !v.CheckedAt.Equal(started.Add(time.Duration(i+1) * time.Second)) {
				t.Fatalf("%s was checked again: %+v", addr, v)
			}
		}
		if _, err := a.Verify.JobStatus(ctx, a.Workspace.ID+1000, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another workspace's job: %v", err)
		}
	})
}

// useDNS points a's address verification at the DNS server addr.
func useDNS(a *App, addr string) {
	a.Cfg.DNSServer = addr
	a.Verify = a.newVerify()
}

package bench

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/suppress"
)

// UIResult is what `clearlist bench ui` measured: the time each admin UI page takes to
// answer, signed in as an owner, with the workspace holding Contacts contacts.
type UIResult struct {
	Engine     string   `json:"engine"`
	Contacts   int      `json:"contacts"`
	Requests   int      `json:"requests_per_page"`
	ImportSecs float64  `json:"import_seconds"`
	CountSecs  float64  `json:"report_count_seconds"` // one run of the report_counts job's work
	Pages      []UIPage `json:"pages"`
}

// UIPage is one page's latencies (milliseconds, the whole response read).
type UIPage struct {
	Name string  `json:"name"`
	Path string  `json:"path"`
	P50  float64 `json:"p50_ms"`
	P95  float64 `json:"p95_ms"`
	Max  float64 `json:"max_ms"`
	// CPU is the process's CPU time (user+sys) per request on average, which a loaded machine
	// inflates far less than the wall clock (it includes the client's small share and whatever
	// background work of the server ran meanwhile; on PostgreSQL the database's is not in it).
	CPU   float64 `json:"cpu_ms"`
	Bytes int     `json:"bytes"`
}

// UIDNCEntries is how many do-not-contact entries the benchmark records (spread over 90 days).
const UIDNCEntries = 2000

// UI fills the (fresh) workspace with contacts through the import (the generator and fast
// path of bench import), a draft campaign on their list and do-not-contact entries, runs the
// report count once, starts the real server, signs in, and requests each page n times, the
// pages interleaved (one round asks each page once), after one warm-up round.
func UI(ctx context.Context, a *app.App, contacts, n int, dir string, progress func(string)) (UIResult, error) {
	res := UIResult{Engine: a.Dialect(), Contacts: contacts, Requests: n}
	ws := a.Workspace.ID
	actx := audit.WithActor(ctx, audit.Actor{Kind: audit.CLI, ID: "bench"})
	path := filepath.Join(dir, fmt.Sprintf("bench-ui-%d.csv", contacts))
	if err := generateFile(path, contacts, false); err != nil {
		return res, err
	}
	for _, at := range attributes {
		if err := seeder(a).AddAttribute(ctx, ws, at); err != nil {
			return res, fmt.Errorf("bench needs a fresh workspace: %w", err)
		}
	}
	progress(fmt.Sprintf("importing %d contacts into %s…", contacts, res.Engine))
	start := time.Now()
	sum, err := a.Imports.Import(actx, ws, contact.ImportRequest{Path: path, List: "bench",
		Source: contact.Source{Type: "web-form-double-opt-in", Description: "clearlist bench ui"}}, 0)
	if err != nil {
		return res, err
	}
	if sum.Inserted != contacts {
		return res, fmt.Errorf("bench ui imported %d of %d contacts", sum.Inserted, contacts)
	}
	res.ImportSecs = time.Since(start).Seconds()
	progress("a campaign, do-not-contact entries, the report count…")
	lists, err := a.Contacts.Lists(ctx, ws)
	if err != nil || len(lists) == 0 {
		return res, fmt.Errorf("bench ui: the imported list: %v", err)
	}
	cp, err := a.Campaigns.Create(actx, campaign.Campaign{WorkspaceID: ws, Name: "Bench news", Purpose: "newsletter", Channel: "email",
		Lists: []int64{lists[0].ID}, FromAddress: "news@example.org", Content: campaign.Content{Subject: "Hi", Text: "Hello"}})
	if err != nil {
		return res, fmt.Errorf("bench ui: campaign: %w", err)
	}
	intakes := make([]suppress.Intake, UIDNCEntries)
	for i := range intakes {
		intakes[i] = suppress.Intake{Value: fmt.Sprintf("stop%d@dnc.example", i), Reason: "request-email", By: "bench",
			ReceivedAt: time.Now().Add(-time.Duration(i%90) * 24 * time.Hour)}
	}
	if _, _, err := a.Suppressions.Suppress(actx, ws, intakes); err != nil {
		return res, fmt.Errorf("bench ui: do-not-contact entries: %w", err)
	}
	start = time.Now()
	if _, err := a.Reporting.CountAll(ctx, start); err != nil {
		return res, err
	}
	res.CountSecs = time.Since(start).Seconds()
	counted := start.UTC().Truncate(time.Microsecond)
	const pass = "bench ui passphrase, long enough"
	if _, err := a.Users.Add(actx, "bench@example.com", "Bench", pass, ws, access.RoleOwner); err != nil {
		return res, err
	}
	srvAddr, _, stop, err := servers(ctx, a, http.NotFound)
	if err != nil {
		return res, err
	}
	defer stop()
	base := "http://" + srvAddr
	// The server's report_counts job counts at start: measure after it, in the steady state
	// (a count every 5 minutes takes CountSecs; pages then share the machine with it).
	progress("waiting for the server's own report count…")
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		au, err := a.Reporting.Audience(ctx, ws)
		if err != nil {
			return res, err
		}
		if au.CountedAt.After(counted) {
			break
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("bench ui: the report_counts job did not run within 5 minutes")
		}
	}
	client, err := signIn(ctx, base, "bench@example.com", pass)
	if err != nil {
		return res, err
	}
	// A contact in the middle of the list, found by its address as a person would.
	mid := contacts / 2
	email := fmt.Sprintf("person.%d@company%d.example", mid, mid%20000)
	body, _, err := get(ctx, client, base+"/ui/contacts?email="+url.QueryEscape(email))
	if err != nil {
		return res, err
	}
	m := regexp.MustCompile(`href="/ui/contacts/(\d+)"`).FindStringSubmatch(body)
	if m == nil {
		return res, fmt.Errorf("bench ui: search for %s found nothing", email)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	cursor := base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10))) // the listing's cursor: after this id
	res.Pages = []UIPage{
		{Name: "dashboard", Path: "/ui/"},
		{Name: "contacts, first page", Path: "/ui/contacts"},
		{Name: "contacts, page after the middle", Path: "/ui/contacts?cursor=" + cursor},
		{Name: "search by e-mail", Path: "/ui/contacts?email=" + url.QueryEscape(email)},
		{Name: "a contact", Path: "/ui/contacts/" + m[1]},
		{Name: "campaigns", Path: "/ui/campaigns"},
		{Name: "a campaign's report", Path: "/ui/campaigns/" + strconv.FormatInt(cp.ID, 10)},
		{Name: "reports", Path: "/ui/reports"},
		{Name: "report: audience growth", Path: "/ui/reports/audience"},
		{Name: "report: consent coverage", Path: "/ui/reports/consent"},
		{Name: "report: do-not-contact intake", Path: "/ui/reports/dnc"},
		{Name: "report: campaign over time", Path: "/ui/reports/campaigns/" + strconv.FormatInt(cp.ID, 10)},
		{Name: "report CSV: new contacts per day", Path: "/ui/reports/audience?csv=days"},
	}
	progress(fmt.Sprintf("requesting %d pages %d times each…", len(res.Pages), n))
	times := make([][]time.Duration, len(res.Pages))
	cpus := make([][]time.Duration, len(res.Pages))
	for round := -1; round < n; round++ { // round -1 warms up
		for i := range res.Pages {
			c0, t0 := cpuTime(), time.Now()
			body, code, err := get(ctx, client, base+res.Pages[i].Path)
			d, c := time.Since(t0), cpuTime()-c0
			if err != nil {
				return res, err
			}
			if code != http.StatusOK {
				return res, fmt.Errorf("bench ui: %s answered %d: %.300s", res.Pages[i].Path, code, body)
			}
			if round >= 0 {
				times[i] = append(times[i], d)
				cpus[i] = append(cpus[i], c)
				res.Pages[i].Bytes = len(body)
			}
		}
	}
	for i := range times {
		res.Pages[i].P50, res.Pages[i].P95, res.Pages[i].Max = quantile(times[i], 0.5), quantile(times[i], 0.95), quantile(times[i], 1)
		var sum time.Duration
		for _, c := range cpus[i] {
			sum += c
		}
		res.Pages[i].CPU = float64(sum.Microseconds()) / 1000 / float64(len(cpus[i]))
	}
	return res, nil
}

// signIn logs in through the login form and returns a client carrying the session cookie.
func signIn(ctx context.Context, base, email, pass string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login",
		strings.NewReader(url.Values{"email": {email}, "password": {pass}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("bench ui: sign-in answered %d", r.StatusCode)
	}
	return c, nil
}

// get reads a page whole.
func get(ctx context.Context, c *http.Client, u string) (string, int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	r, err := c.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	return string(b), r.StatusCode, err
}

// quantile is the q-quantile of the durations in milliseconds (nearest rank).
func quantile(ds []time.Duration, q float64) float64 {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	i := min(len(ds)-1, max(0, int(math.Ceil(q*float64(len(ds))))-1))
	return float64(ds[i].Microseconds()) / 1000
}

// cpuTime is the process's CPU time so far (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package app

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"net/mail"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/verify"
)

// The workspace settings (`clearlist setting set NAME VALUE`).
const (
	// SettingExcludeRisky: "true" keeps risky addresses out of campaigns (policy rule vfy-02).
	SettingExcludeRisky = "verify.exclude_risky"
	// SettingProbe: "true" lets verification connect to mail servers (SMTP RCPT probe).
	SettingProbe = "verify.probe"
	// SettingDeadlineHours: the workspace's own limit for do-not-contact requests to take
	// effect, in hours; it can only shorten the legal deadlines.
	SettingDeadlineHours = "suppress.deadline_hours"
	// SettingBulkSender: "true" applies the mailbox providers' 2-day unsubscribe rule to
	// every e-mail request (senders of more than 5,000 messages a day to Gmail or Yahoo).
	SettingBulkSender = "suppress.bulk_sender"
)

// listSettings are the workspace's changes to the embedded verification lists: comma-separated
// domains (or, for roles, local parts), each applied with verify.Lists.With.
var listSettings = map[string]func(o *verify.Overrides, v []string){
	"verify.disposable.add":    func(o *verify.Overrides, v []string) { o.AddDisposable = v },
	"verify.disposable.remove": func(o *verify.Overrides, v []string) { o.RemoveDisposable = v },
	"verify.free.add":          func(o *verify.Overrides, v []string) { o.AddFree = v },
	"verify.free.remove":       func(o *verify.Overrides, v []string) { o.RemoveFree = v },
	"verify.role.add":          func(o *verify.Overrides, v []string) { o.AddRoles = v },
	"verify.role.remove":       func(o *verify.Overrides, v []string) { o.RemoveRoles = v },
	"verify.known.add":         func(o *verify.Overrides, v []string) { o.AddKnown = v },
}

// Settings lists the workspace settings and what they do.
var Settings = map[string]string{
	SettingExcludeRisky:        "true: risky addresses (disposable, role, catch-all, typo, odd syntax) are not mailed",
	SettingProbe:               "true: verification may ask the receiving mail server whether a mailbox exists (SMTP, no message sent)",
	SettingDeadlineHours:       "hours within which a do-not-contact request must take effect (only ever shortens the legal deadline; 0: none)",
	SettingBulkSender:          "true: e-mail unsubscribes are due within 2 days (Gmail/Yahoo bulk-sender rule)",
	"verify.disposable.add":    "domains to treat as disposable, comma-separated",
	"verify.disposable.remove": "domains not to treat as disposable",
	"verify.free.add":          "domains to treat as free-mail (personal) providers",
	"verify.free.remove":       "domains not to treat as free-mail providers",
	"verify.role.add":          "local parts to treat as role accounts (e.g. einkauf, ventas)",
	"verify.role.remove":       "local parts not to treat as role accounts",
	"verify.known.add":         "real domains never to flag as typos (your own, your partners')",
}

// settingBool reads a true/false workspace setting (unset is false).
func (a *App) settingBool(ctx context.Context, ws int64, name string) (bool, error) {
	v, ok, err := a.Store.Setting(ctx, ws, name)
	if err != nil || !ok {
		return false, err
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("workspace setting %s = %q: set it to true or false", name, v)
	}
	return b, nil
}

// SetSetting validates and stores a workspace setting.
func (a *App) SetSetting(ctx context.Context, ws int64, name, value string) error {
	if _, ok := Settings[name]; !ok {
		names := make([]string, 0, len(Settings))
		for n := range Settings {
			names = append(names, n)
		}
		slices.Sort(names)
		return fmt.Errorf("unknown setting %q: use one of %v", name, names)
	}
	if apply, ok := listSettings[name]; ok {
		var o verify.Overrides
		items := splitItems(value)
		apply(&o, items)
		if _, err := verify.Default().With(o); err != nil {
			return fmt.Errorf("setting %s: %w", name, err)
		}
		return a.Store.SetSetting(ctx, ws, name, strings.Join(items, ","))
	}
	if name == SettingDeadlineHours {
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 24*365 {
			return fmt.Errorf("setting %s: give a number of hours (0 for none), not %q", name, value)
		}
		return a.Store.SetSetting(ctx, ws, name, strconv.Itoa(n))
	}
	b, err := strconv.ParseBool(value)
	if err != nil {
		return fmt.Errorf("setting %s: give true or false, not %q", name, value)
	}
	return a.Store.SetSetting(ctx, ws, name, strconv.FormatBool(b))
}

func splitItems(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// workspaceLists returns the verification lists with the workspace's changes, and a key that
// changes when they do ("" for the embedded lists).
func (a *App) workspaceLists(ctx context.Context, ws int64) (*verify.Lists, string, error) {
	var o verify.Overrides
	var key []string
	for _, name := range slices.Sorted(maps.Keys(listSettings)) {
		v, ok, err := a.Store.Setting(ctx, ws, name)
		if err != nil {
			return nil, "", err
		}
		if ok && v != "" {
			listSettings[name](&o, splitItems(v))
			key = append(key, name+"="+v)
		}
	}
	if len(key) == 0 {
		return verify.Default(), "", nil
	}
	l, err := verify.Default().With(o)
	if err != nil {
		return nil, "", fmt.Errorf("the workspace's verification lists: %w (fix them with `clearlist setting set`)", err)
	}
	return l, strings.Join(key, ";"), nil
}

// deadlineRules are the deadline rules with the workspace's own settings applied.
func (a *App) deadlineRules(ctx context.Context, ws int64) (*suppress.Rules, error) {
	var set suppress.Settings
	if v, ok, err := a.Store.Setting(ctx, ws, SettingDeadlineHours); err != nil {
		return nil, err
	} else if ok {
		n, _ := strconv.Atoi(v)
		set.Limit = time.Duration(n) * time.Hour
	}
	bulk, err := a.settingBool(ctx, ws, SettingBulkSender)
	if err != nil {
		return nil, err
	}
	set.BulkSender = bulk
	return suppress.DefaultRules().WithSettings(set)
}

// verifiers holds this process's address checkers: one DNS cache and one SMTP prober for
// all workspaces, and a checker per workspace list set, mode (offline, online, probe).
type verifiers struct {
	once     sync.Once
	err      error
	resolver verify.Resolver
	prober   verify.Prober
	mu       sync.Mutex
	checkers map[string]*verify.Checker // by list key and mode
}

// Checker returns the workspace's address checker: offline (no network), online (DNS) or with
// the SMTP probe, with the workspace's list changes. The DNS server is --dns-server, else the
// first nameserver of /etc/resolv.conf.
func (a *App) Checker(ctx context.Context, ws int64, online, probe bool) (*verify.Checker, error) {
	v := &a.ver
	if online {
		v.once.Do(func() {
			r, err := verify.NewDNSResolver(verify.DNSConfig{Server: a.Cfg.DNSServer})
			if err != nil {
				v.err = fmt.Errorf("address verification needs a DNS server: %w (set one with --dns-server)", err)
				return
			}
			v.resolver = verify.NewCache(r, verify.CacheOptions{})
			helo := a.Cfg.ProbeHelo
			if helo == "" {
				helo, _ = os.Hostname()
			}
			from := a.Cfg.ProbeFrom
			if from == "" {
				if addr, err := mail.ParseAddress(a.Cfg.MailFrom); err == nil {
					from = addr.Address
				}
			}
			v.prober = verify.NewSMTPProber(verify.ProbeConfig{HeloName: helo, MailFrom: from})
		})
		if v.err != nil {
			return nil, v.err
		}
	}
	lists, key, err := a.workspaceLists(ctx, ws)
	if err != nil {
		return nil, err
	}
	mode := "offline"
	opts := verify.Options{Lists: lists}
	if online {
		mode, opts.Resolver = "online", v.resolver
		if probe {
			mode, opts.Prober = "probe", v.prober
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if c, ok := v.checkers[mode+"|"+key]; ok {
		return c, nil
	}
	if v.checkers == nil || len(v.checkers) > 1000 {
		v.checkers = map[string]*verify.Checker{}
	}
	c := verify.New(opts)
	v.checkers[mode+"|"+key] = c
	return c, nil
}

// VerifyOptions say how addresses are checked.
type VerifyOptions struct {
	Offline bool // syntax, lists and typos only: no DNS, no probe
	Probe   bool // ask the mail servers (needs the workspace setting verify.probe)
	Workers int  // concurrent checks; 0 means 32
	Store   bool // record the results (and mark the contacts)
}

// VerifyAddresses checks addresses, calling each with every result as it is ready (in the
// order checks finish), and stores them in batches when asked. Results are stored under the
// import's canonical form of the address, the key contacts are found by.
func (a *App) VerifyAddresses(ctx context.Context, ws int64, addrs iter.Seq[string], opts VerifyOptions, each func(verify.Result)) error {
	if opts.Probe {
		ok, err := a.settingBool(ctx, ws, SettingProbe)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("the SMTP probe is off for this workspace: it connects to other people's mail servers; turn it on with `clearlist setting set %s true`", SettingProbe)
		}
	}
	c, err := a.Checker(ctx, ws, !opts.Offline, opts.Probe)
	if err != nil {
		return err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = 32
	}
	var mu sync.Mutex
	var batch []store.Verification
	var saveErr error
	flush := func() {
		if len(batch) > 0 && saveErr == nil {
			saveErr = a.Store.SaveVerifications(ctx, ws, batch)
		}
		batch = batch[:0]
	}
	c.CheckMany(ctx, addrs, workers, func(r verify.Result) {
		if each != nil {
			each(r)
		}
		if !opts.Store {
			return
		}
		_, key, err := contact.CanonicalEmail(r.Address)
		if err != nil {
			key = r.Address // not a storable contact address; keep its result under the text given
			if len(key) > 320 {
				return
			}
		}
		reasons := make([]string, len(r.Reasons))
		for i, x := range r.Reasons {
			reasons[i] = string(x)
		}
		mu.Lock()
		defer mu.Unlock()
		batch = append(batch, store.Verification{Address: key, Verdict: string(r.Verdict), Reasons: reasons,
			Diagnosis: string(r.Diagnosis), Suggestion: r.Suggestion, MX: r.MX, Probed: opts.Probe, CheckedAt: r.CheckedAt})
		if len(batch) >= 1000 {
			flush()
		}
	})
	mu.Lock()
	defer mu.Unlock()
	flush()
	if saveErr != nil {
		return saveErr
	}
	return ctx.Err()
}

// AddressesDue returns the workspace's addresses (of one list when listID is not 0) never
// verified or verified before before (zero: all).
func (a *App) AddressesDue(ctx context.Context, ws, listID int64, before time.Time) ([]string, error) {
	var out []string
	err := a.Store.EachAddressDue(ctx, ws, listID, before, func(addr string) error {
		out = append(out, addr)
		return nil
	})
	return out, err
}

// ReverifyAll re-checks (online, without the probe) the addresses of every workspace last
// checked more than days ago, and returns how many it checked. Addresses never checked are
// left to `clearlist verify` and import --verify: a scheduled job should not start probing a
// whole new list by itself.
func (a *App) ReverifyAll(ctx context.Context, days int, now time.Time) (int, error) {
	if days <= 0 {
		return 0, nil
	}
	wss, err := a.Store.WorkspaceIDs(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, ws := range wss {
		var due []string
		err := a.Store.EachStaleVerification(ctx, ws, now.AddDate(0, 0, -days), func(addr string) error {
			due = append(due, addr)
			return nil
		})
		if err != nil {
			return total, err
		}
		if len(due) == 0 {
			continue
		}
		if err := a.VerifyAddresses(ctx, ws, slices.Values(due), VerifyOptions{Store: true}, nil); err != nil {
			return total, err
		}
		total += len(due)
	}
	return total, nil
}

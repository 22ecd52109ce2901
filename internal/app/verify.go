package app

import (
	"context"
	"fmt"
	"iter"
	"net/mail"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/verify"
)

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
	InOrder bool // report results in the order of the input, not as checks finish
}

// VerifyAddresses checks addresses, calling each with every result as it is ready (in the
// order checks finish, or of addrs with opts.InOrder), and stores them in batches when asked. Results are stored under the
// import's canonical form of the address, the key contacts are found by.
func (a *App) VerifyAddresses(ctx context.Context, ws int64, addrs iter.Seq[string], opts VerifyOptions, each func(verify.Result)) error {
	if opts.Probe {
		ok, err := a.Workspaces.SettingBool(ctx, ws, SettingProbe)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: it connects to other people's mail servers; turn it on with `clearlist setting set %s true`", verify.ErrProbeOff, SettingProbe)
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
	checkMany := c.CheckMany
	if opts.InOrder {
		checkMany = c.CheckManyOrdered
	}
	checkMany(ctx, addrs, workers, func(r verify.Result) {
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

// NeverChecked passed as before to AddressesDue selects only the addresses never verified.
var NeverChecked = time.Unix(1, 0)

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

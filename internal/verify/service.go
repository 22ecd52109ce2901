package verify

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"net/mail"
	"os"
	"sync"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
)

// Store is what the verification service reads and writes; the store implements it.
type Store interface {
	// SaveVerifications records results and copies each verdict onto the contact with that
	// address, in one transaction.
	SaveVerifications(ctx context.Context, ws int64, vs []Verification) error
	EachAddressDue(ctx context.Context, ws, listID int64, before time.Time, fn func(address string) error) error
	EachStaleVerification(ctx context.Context, ws int64, before time.Time, fn func(address string) error) error
	WorkspaceIDs(ctx context.Context) ([]int64, error)
	ListByName(ctx context.Context, ws int64, name string) (contact.List, error)
	Settings(ctx context.Context, ws int64) (map[string]string, error)

	CreateVerifyJob(ctx context.Context, ws int64, addresses []string, started time.Time) (int64, error)
	UpdateVerifyJob(ctx context.Context, ws, id, done int64, verdicts map[string]int, state, errText string) error
	// VerifyJob returns a job of the workspace without its addresses; errs.ErrNotFound
	// when the workspace has no such job.
	VerifyJob(ctx context.Context, ws, id int64) (JobRow, error)
	// VerifyJobList returns the workspace's jobs without their addresses, newest first,
	// those with an id below before (0: from the newest), at most limit.
	VerifyJobList(ctx context.Context, ws, before int64, limit int) ([]JobRow, error)
	VerifyJobAddresses(ctx context.Context, ws, id int64) ([]string, error)
	// VerifiedSince returns the verdicts of the addresses checked at or after since.
	VerifiedSince(ctx context.Context, ws int64, since time.Time) (map[string]string, error)
	UnfinishedVerifyJobs(ctx context.Context) ([]JobRow, error)
}

// Queue runs verification jobs in the background (the job runner, River); the composition
// root supplies it.
type Queue interface {
	// EnqueueVerifyJob asks for the stored job id of the workspace to be run.
	EnqueueVerifyJob(ctx context.Context, ws, id int64) error
}

// Config is how the service reaches the network.
type Config struct {
	DNSServer string // host:port; "" for the first nameserver of /etc/resolv.conf
	ProbeHelo string // HELO of the SMTP probe; "" for the host name
	ProbeFrom string // MAIL FROM of the SMTP probe; "" for the address of MailFrom
	MailFrom  string // the instance's From ("name <addr>")
	Logger    *slog.Logger
	// Settings reads the workspace's true/false settings (workspace.Service, which owns
	// them); nil reads every one as unset, so the SMTP probe stays off.
	Settings interface {
		SettingBool(ctx context.Context, ws int64, name string) (bool, error)
	}
}

// Service checks a workspace's addresses, records the results and runs bulk verification
// jobs. It is safe for concurrent use.
type Service struct {
	st    Store
	cfg   Config
	queue Queue
	log   *slog.Logger

	once     sync.Once
	err      error
	resolver Resolver
	prober   Prober
	mu       sync.Mutex
	checkers map[string]*Checker // by mode and list key
}

// NewService returns the service over st; queue runs its background jobs (nil: StartJob
// is refused).
func NewService(st Store, cfg Config, queue Queue) *Service {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, cfg: cfg, queue: queue, log: log}
}

// Checker returns the workspace's address checker: offline (no network), online (DNS) or with
// the SMTP probe, with the workspace's list changes. The DNS server is Config.DNSServer, else
// the first nameserver of /etc/resolv.conf.
func (s *Service) Checker(ctx context.Context, ws int64, online, probe bool) (*Checker, error) {
	if online {
		s.once.Do(s.connect)
		if s.err != nil {
			return nil, s.err
		}
	}
	lists, key, err := s.workspaceLists(ctx, ws)
	if err != nil {
		return nil, err
	}
	mode := "offline"
	opts := Options{Lists: lists}
	if online {
		mode, opts.Resolver = "online", s.resolver
		if probe {
			mode, opts.Prober = "probe", s.prober
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.checkers[mode+"|"+key]; ok {
		return c, nil
	}
	if s.checkers == nil || len(s.checkers) > 1000 {
		s.checkers = map[string]*Checker{}
	}
	c := New(opts)
	s.checkers[mode+"|"+key] = c
	return c, nil
}

// connect builds the one DNS cache and SMTP prober of this process.
func (s *Service) connect() {
	r, err := NewDNSResolver(DNSConfig{Server: s.cfg.DNSServer})
	if err != nil {
		s.err = fmt.Errorf("address verification needs a DNS server: %w (set one with --dns-server)", err)
		return
	}
	s.resolver = NewCache(r, CacheOptions{})
	helo := s.cfg.ProbeHelo
	if helo == "" {
		helo, _ = os.Hostname()
	}
	from := s.cfg.ProbeFrom
	if from == "" {
		if addr, err := mail.ParseAddress(s.cfg.MailFrom); err == nil {
			from = addr.Address
		}
	}
	s.prober = NewSMTPProber(ProbeConfig{HeloName: helo, MailFrom: from})
}

// CheckOptions say how addresses are checked.
type CheckOptions struct {
	Offline bool // syntax, lists and typos only: no DNS, no probe
	Probe   bool // ask the mail servers (needs the workspace setting verify.probe)
	Workers int  // concurrent checks; 0 means 32
	Store   bool // record the results (and mark the contacts)
	InOrder bool // report results in the order of the input, not as checks finish
}

// Check checks addresses, calling each with every result as it is ready (in the order checks
// finish, or of addrs with opts.InOrder), and stores them in batches when asked. Results are
// stored under the import's canonical form of the address, the key contacts are found by.
func (s *Service) Check(ctx context.Context, ws int64, addrs iter.Seq[string], opts CheckOptions, each func(Result)) error {
	if opts.Probe {
		ok, err := s.probeAllowed(ctx, ws)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: it connects to other people's mail servers; turn it on with `clearlist setting set %s true`", ErrProbeOff, SettingProbe)
		}
	}
	c, err := s.Checker(ctx, ws, !opts.Offline, opts.Probe)
	if err != nil {
		return err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = 32
	}
	var mu sync.Mutex
	var batch []Verification
	var saveErr error
	flush := func() {
		if len(batch) > 0 && saveErr == nil {
			saveErr = s.st.SaveVerifications(ctx, ws, batch)
		}
		batch = batch[:0]
	}
	checkMany := c.CheckMany
	if opts.InOrder {
		checkMany = c.CheckManyOrdered
	}
	checkMany(ctx, addrs, workers, func(r Result) {
		if each != nil {
			each(r)
		}
		if !opts.Store {
			return
		}
		v, ok := stored(r, opts.Probe)
		if !ok {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		batch = append(batch, v)
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

// stored is the record of a result, under the address's canonical form; ok is false for a
// text too long to be an address worth keeping.
func stored(r Result, probed bool) (Verification, bool) {
	key := storageKey(r.Address)
	if len(key) > 320 {
		return Verification{}, false
	}
	reasons := make([]string, len(r.Reasons))
	for i, x := range r.Reasons {
		reasons[i] = string(x)
	}
	return Verification{Address: key, Verdict: string(r.Verdict), Reasons: reasons, Diagnosis: string(r.Diagnosis),
		Suggestion: r.Suggestion, MX: r.MX, Probed: probed, CheckedAt: r.CheckedAt}, true
}

// storageKey is the key a result is stored under: the canonical form of a contact address,
// else (not a storable contact address) the text given.
func storageKey(addr string) string {
	if _, key, err := contact.CanonicalEmail(addr); err == nil {
		return key
	}
	return addr
}

// One checks one address online (and with the probe when asked and allowed) and stores the
// result.
func (s *Service) One(ctx context.Context, ws int64, address string, probe bool) (Result, error) {
	var out Result
	err := s.Check(ctx, ws, func(yield func(string) bool) { yield(address) }, CheckOptions{Probe: probe, Store: true, Workers: 1},
		func(r Result) { out = r })
	return out, err
}

// Offline checks addresses without a database and without the network (syntax, the built-in
// disposable/role/free lists, typos), calling each in input order; for `verify --offline`
// where no database exists, so that checking creates none.
func Offline(ctx context.Context, addrs iter.Seq[string], workers int, each func(Result)) error {
	New(Options{}).CheckManyOrdered(ctx, addrs, workers, each)
	return ctx.Err()
}

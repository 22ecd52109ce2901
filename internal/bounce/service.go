package bounce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/clearlist/clearlist/internal/bounce/dsn"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/workspace"
)

// The workspace settings of bounce processing (declared and checked in package workspace).
const (
	SettingSoftLimit      = workspace.SettingBounceSoftLimit
	SettingSoftWindowDays = workspace.SettingBounceSoftWindowDays
	SettingKeepDays       = workspace.SettingBounceKeepDays
	DefaultSoftLimit      = 3
	DefaultSoftWindowDays = 15
	DefaultKeepDays       = 30
)

// RecordedBy names bounce processing as the recorder of its do-not-contact entries.
const RecordedBy = "bounce processing"

// VERPKeyName is the workspace signing key of VERP return paths (campaign.VERPKeyName).
const VERPKeyName = "verp"

// Errors the callers branch on.
var (
	// ErrDecided is a review decided already.
	ErrDecided = errors.New("this review was decided already")
	// ErrNoParser is IngestMessage without a parser wired in.
	ErrNoParser = errors.New("bounce: no message parser is configured (Options.Parse and Options.Classify); only Record works")
)

// DNC is the do-not-contact list (suppress.Service): it prepares entries (canonical value,
// keyed hash, deadline) for the store to write in the event's transaction, and brings its
// screening index up to date afterwards.
type DNC interface {
	PrepareSuppression(ctx context.Context, ws int64, req suppress.Intake, now time.Time) (suppress.Suppression, error)
	// Preparer is PrepareSuppression with the workspace's rules read once (for a batch).
	Preparer(ctx context.Context, ws int64) (suppress.PrepareFunc, error)
	Screen(ctx context.Context, ws int64, fresh bool) (*suppress.Screen, error)
}

// Guard checks a campaign's bounce and complaint rates and pauses it when they are over
// (campaign.Service).
type Guard interface {
	Guard(ctx context.Context, ws, id int64) error
}

// Options are the service's parts that come from elsewhere.
type Options struct {
	// Parse reads a received message (dsn.Parse); Classify gives the reason and hardness of
	// a failure (dsn.Classify). IngestMessage needs both; Record uses Classify when set.
	Parse    func(raw []byte) (*dsn.Report, error)
	Classify func(status, replyCode, diagnostic string) (reason string, hard bool)
	Guard    Guard // nil: no campaign guard
	Log      *slog.Logger
	Now      func() time.Time
}

// Service turns delivery events into list hygiene. It is safe for concurrent use.
type Service struct {
	st   Store
	dnc  DNC
	opts Options
	now  func() time.Time
	log  *slog.Logger
}

// New returns the service over st and the do-not-contact list.
func New(st Store, dnc DNC, opts Options) *Service {
	s := &Service{st: st, dnc: dnc, opts: opts, now: opts.Now, log: opts.Log}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// intSetting reads a whole-number workspace setting, def when unset.
func (s *Service) intSetting(ctx context.Context, ws int64, name string, def int) (int, error) {
	v, ok, err := s.st.Setting(ctx, ws, name)
	if err != nil || !ok {
		return def, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return def, fmt.Errorf("setting %s is %q: set a whole number (`clearlist setting set %s N`)", name, v, name)
	}
	return n, nil
}

// cachedSetting is intSetting read once per batch.
func (s *Service) cachedSetting(ctx context.Context, ws int64, name string, def int, b *batch) (int, error) {
	k := strconv.FormatInt(ws, 10) + "/" + name
	if v, ok := b.settings[k]; ok {
		return v, nil
	}
	v, err := s.intSetting(ctx, ws, name, def)
	if err == nil {
		b.settings[k] = v
	}
	return v, err
}

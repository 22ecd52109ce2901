package suppress

import (
	"context"
	"errors"
	"github.com/clearlist/clearlist/internal/workspace"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
)

// Store is what the service reads and writes; the store implements it. Every method that
// changes entries runs in one transaction of its own and writes its audit entry in it.
type Store interface {
	// AddSuppressions records entries in one transaction; audit, when set, is the one audit
	// line of a bulk add. It returns the entries stored and how many were already active.
	AddSuppressions(ctx context.Context, ws int64, entries []Suppression, audit string) ([]Suppression, int, error)
	// AddSuppressionsBulk is AddSuppressions for third-party bulk data (one webhook summary).
	AddSuppressionsBulk(ctx context.Context, ws int64, entries []Suppression, audit string) ([]Suppression, int, error)
	// RemoveSuppression ends an active entry if allowed(reason); otherwise ErrProtected.
	RemoveSuppression(ctx context.Context, ws, id int64, by, why string, allowed func(reason string) bool) (Suppression, error)
	// RemoveSuppressionsByHash ends the active entries of one reason for these hashes.
	RemoveSuppressionsByHash(ctx context.Context, ws int64, hashes [][]byte, reason, by, why string) (int, error)
	// EraseSuppression records an erasure entry and drops the clear value of every entry
	// with its hash, in one transaction; it returns the entries added and how many were erased.
	EraseSuppression(ctx context.Context, ws int64, e Suppression, by string) ([]Suppression, int, error)
	Suppressions(ctx context.Context, ws int64, f Filter) ([]Suppression, error)
	EachSuppression(ctx context.Context, ws int64, f Filter, fn func(Suppression) error) error
	SuppressionAudit(ctx context.Context, ws, afterID int64, limit int) ([]AuditLine, error)
	// SuppressionChanges streams the changes after change number after and returns the
	// number it brought the caller up to.
	SuppressionChanges(ctx context.Context, ws, after int64, fn func(Change) error) (int64, error)
	// SuppressionWorkspaces lists the workspaces (InstanceWorkspace too) whose list ever changed.
	SuppressionWorkspaces(ctx context.Context) ([]int64, error)
	// LastRegistryImport is the received time of the workspace's newest registry entry.
	LastRegistryImport(ctx context.Context, ws int64) (time.Time, bool, error)
	SigningKey(ctx context.Context, ws int64, name string) ([]byte, error)
	InstanceKey(ctx context.Context, name string) ([]byte, error)
	Settings(ctx context.Context, ws int64) (map[string]string, error)
	Setting(ctx context.Context, ws int64, name string) (value string, ok bool, err error)
	SetSetting(ctx context.Context, ws int64, name, value string) error
	// WorkspaceID returns the id of the named workspace; errs.ErrNotFound when none.
	WorkspaceID(ctx context.Context, name string) (int64, error)
	// ListByName returns the workspace's list of that name; errs.ErrNotFound when none.
	ListByName(ctx context.Context, ws int64, name string) (contact.List, error)
	// EachListContact streams the contacts of a list in id order.
	EachListContact(ctx context.Context, ws, listID int64, fn func(contact.Contact) error) error
}

// Service runs the do-not-contact list: it records and lifts requests, imports files and
// registry downloads, and screens identifiers, files and call lists against the in-memory
// index it keeps for every workspace it has served (and the instance-wide list). It is safe
// for concurrent use.
type Service struct {
	st   Store
	opts Options
	log  *slog.Logger
	scr  screens
}

// New returns the service over st; opts are the canonicalisation options (the default
// region of national phone numbers).
func New(st Store, opts Options, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, opts: opts, log: log}
}

// Options returns the canonicalisation options of the list.
func (s *Service) Options() Options { return s.opts }

// The workspace settings of the do-not-contact list (`clearlist setting set NAME VALUE`),
// declared and checked with the others in package workspace.
const (
	SettingDeadlineHours = workspace.SettingDeadlineHours
	SettingBulkSender    = workspace.SettingBulkSender
)

// deadlineRules are the deadline rules with the workspace's own settings applied.
func (s *Service) deadlineRules(ctx context.Context, ws int64) (*Rules, error) {
	all, err := s.st.Settings(ctx, ws)
	if err != nil {
		return nil, err
	}
	var set Settings
	if v, ok := all[SettingDeadlineHours]; ok {
		n, _ := strconv.Atoi(v)
		set.Limit = time.Duration(n) * time.Hour
	}
	set.BulkSender = all[SettingBulkSender] == "true" // settings store booleans as true or false
	return DefaultRules().WithSettings(set)
}

// GuessKind says what an identifier is when the caller did not: an address has an @, a
// number has digits and phone punctuation only, anything else is a domain.
func GuessKind(value string) Kind {
	v := strings.TrimSpace(value)
	if strings.Contains(v, "@") {
		return KindEmail
	}
	digits := 0
	for _, r := range strings.TrimPrefix(v, "tel:") {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-.() /", r):
		default:
			return KindDomain
		}
	}
	if digits == 0 {
		return KindDomain
	}
	return KindPhone
}

// kindOf is the kind given, or the guessed one when kind is "".
func kindOf(kind, value string) (Kind, error) {
	if kind == "" {
		return GuessKind(value), nil
	}
	return ParseKind(kind)
}

// Suppressed reports whether the workspace's (or the instance's) list blocks the identifier
// on the channel for any of the purposes (or for every purpose: "" is always asked). An
// identifier the list cannot read counts as blocked: nothing is sent to what cannot be
// screened. The double opt-in flow asks it before it mails a confirmation link.
func (s *Service) Suppressed(ctx context.Context, ws int64, kind, value, channel string, purposes []string) (bool, error) {
	for _, p := range append([]string{""}, purposes...) {
		ans, err := s.CheckSuppressed(ctx, ws, kind, value, channel, p)
		if errors.Is(err, ErrInvalid) {
			return true, nil
		} else if err != nil {
			return false, err
		}
		if !ans.Contactable {
			return true, nil
		}
	}
	return false, nil
}

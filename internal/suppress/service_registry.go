package suppress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// RegistryImportOptions describe a national registry file.
type RegistryImportOptions struct {
	Fetched time.Time // when the file was downloaded; zero = now
	By      string
	Name    string
	// Progress, when set, is called with the lines read so far after every batch.
	Progress func(lines int)
}

// registryRule names the deadline of registry entries: the telemarketing safe harbor asks
// that a number be honoured within 31 days of the registry download that lists it.
const registryRule = "registry-31-days (16 CFR §310.4(b)(3)(iv); 47 CFR §64.1200(c)(2)(i)(D))"

// ImportRegistry streams a US National Do Not Call Registry file (full or change file, see
// ParseRegistry) into the list as phone entries for every channel with reason
// national-registry: additions are recorded, a change file's deletions remove the
// registry's entry for the number (never an entry of another reason). Bad lines are
// reported and skipped.
func (s *Service) ImportRegistry(ctx context.Context, ws int64, r io.Reader, opts RegistryImportOptions) (ImportReport, error) {
	var rep ImportReport
	l, err := s.list(ctx, ws)
	if err != nil {
		return rep, err
	}
	fetched := opts.Fetched
	if fetched.IsZero() {
		fetched = time.Now().UTC()
	}
	rep.Stale = RegistryStale(fetched, time.Now())
	by := opts.By
	if by == "" {
		by = "registry-import"
	}
	h := l.keyer.NewHasher()
	var num []byte
	adds := make([]Suppression, 0, suppressBatch)
	var dels [][]byte
	flush := func(lines int) error {
		if len(adds) > 0 {
			added, dups, err := s.st.AddSuppressionsBulk(ctx, ws, adds,
				fmt.Sprintf("national registry file %s (fetched %s): %d numbers", opts.Name, fetched.Format(time.DateOnly), len(adds)))
			if err != nil {
				return err
			}
			if err := s.applyOwn(ctx, ws, added); err != nil {
				return err
			}
			rep.Added, rep.Duplicates = rep.Added+len(added), rep.Duplicates+dups
			adds = adds[:0]
		}
		if len(dels) > 0 {
			n, err := s.st.RemoveSuppressionsByHash(ctx, ws, dels, string(ReasonNationalRegistry), by,
				"removed from the national registry (change file "+opts.Name+")")
			if err != nil {
				return err
			}
			rep.Removed += n
			dels = dels[:0]
			if err := s.syncList(ctx, ws); err != nil {
				return err
			}
		}
		if opts.Progress != nil {
			opts.Progress(lines)
		}
		return nil
	}
	prep, err := ParseRegistry(r, RegistryOptions{}, func(rec RegistryRecord) error {
		num = rec.AppendE164(num[:0])
		sum := h.HashBytes(KindPhone, num)
		if rec.Delete {
			dels = append(dels, append([]byte(nil), sum[:]...))
		} else {
			adds = append(adds, Suppression{Kind: string(KindPhone), Value: string(num), Hash: append([]byte(nil), sum[:]...),
				Reason: string(ReasonNationalRegistry), ChannelIn: InRegistry, RecordedBy: by,
				ReceivedAt: fetched, Deadline: fetched.AddDate(0, 0, RegistryMaxAge), DeadlineRule: registryRule})
		}
		if len(adds)+len(dels) >= suppressBatch {
			return flush(rec.Line)
		}
		return nil
	})
	rep.Rows = prep.Lines
	for _, b := range prep.Bad {
		rep.fail(b.Line, b.Text, errors.New(b.Reason))
	}
	if err != nil {
		return rep, err
	}
	if err := flush(prep.Lines); err != nil {
		return rep, err
	}
	return rep, s.noteRegistryFetch(ctx, ws, fetched)
}

// settingRegistryFetched records when the workspace's newest national registry download was
// fetched. The entries' received times alone do not tell: a fresh download of numbers
// already listed adds no entries, yet it is fresh data. Not a user setting.
const settingRegistryFetched = "suppress.registry_fetched"

// noteRegistryFetch records fetched as the workspace's newest registry download unless a
// newer one is on file. Instance-wide imports have no workspace settings; they are not
// recorded.
func (s *Service) noteRegistryFetch(ctx context.Context, ws int64, fetched time.Time) error {
	if ws == InstanceWorkspace {
		return nil
	}
	if last, ok, err := s.lastRegistryFetch(ctx, ws); err != nil || ok && !fetched.After(last) {
		return err
	}
	return s.st.SetSetting(ctx, ws, settingRegistryFetched, fetched.UTC().Format(time.RFC3339Nano))
}

// lastRegistryFetch returns when the workspace's newest registry data was fetched; ok is
// false when it never imported any.
func (s *Service) lastRegistryFetch(ctx context.Context, ws int64) (time.Time, bool, error) {
	last, ok, err := s.st.LastRegistryImport(ctx, ws)
	if err != nil {
		return last, ok, err
	}
	v, set, err := s.st.Setting(ctx, ws, settingRegistryFetched)
	if err != nil || !set {
		return last, ok, err
	}
	if t, perr := time.Parse(time.RFC3339Nano, v); perr == nil && (!ok || t.After(last)) {
		return t, true, nil
	}
	return last, ok, nil
}

package suppress

import (
	"context"
	"time"
)

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

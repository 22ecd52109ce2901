package app

import (
	"context"
	"time"

	"github.com/clearlist/clearlist/internal/store"
)

// settingRegistryFetched records when the workspace's newest national registry download was
// fetched. The entries' received times alone do not tell: a fresh download of numbers
// already listed adds no entries, yet it is fresh data. Not a user setting.
const settingRegistryFetched = "suppress.registry_fetched"

// noteRegistryFetch records fetched as the workspace's newest registry download unless a
// newer one is on file. Instance-wide imports have no workspace settings; they are not
// recorded.
func (a *App) noteRegistryFetch(ctx context.Context, ws int64, fetched time.Time) error {
	if ws == store.InstanceWorkspace {
		return nil
	}
	if last, ok, err := a.lastRegistryFetch(ctx, ws); err != nil || ok && !fetched.After(last) {
		return err
	}
	return a.Store.SetSetting(ctx, ws, settingRegistryFetched, fetched.UTC().Format(time.RFC3339Nano))
}

// lastRegistryFetch returns when the workspace's newest registry data was fetched; ok is
// false when it never imported any.
func (a *App) lastRegistryFetch(ctx context.Context, ws int64) (time.Time, bool, error) {
	last, ok, err := a.Store.LastRegistryImport(ctx, ws)
	if err != nil {
		return last, ok, err
	}
	v, set, err := a.Store.Setting(ctx, ws, settingRegistryFetched)
	if err != nil || !set {
		return last, ok, err
	}
	if t, perr := time.Parse(time.RFC3339Nano, v); perr == nil && (!ok || t.After(last)) {
		return t, true, nil
	}
	return last, ok, nil
}

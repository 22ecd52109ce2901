package app

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/verify"
	"github.com/clearlist/clearlist/internal/workspace"
)

// The workspace settings (`clearlist setting set NAME VALUE`); see package workspace, which
// holds them and checks their values.
const (
	SettingExcludeRisky  = workspace.SettingExcludeRisky
	SettingProbe         = workspace.SettingProbe
	SettingDeadlineHours = workspace.SettingDeadlineHours
	SettingBulkSender    = workspace.SettingBulkSender
	SettingCORSOrigins   = workspace.SettingCORSOrigins
)

// listSettings are the workspace's changes to the embedded verification lists
// (workspace.ListSettings).
var listSettings = workspace.ListSettings

func splitItems(v string) []string { return workspace.SplitItems(v) }

// workspaceLists returns the verification lists with the workspace's changes, and a key that
// changes when they do ("" for the embedded lists).
func (a *App) workspaceLists(ctx context.Context, ws int64) (*verify.Lists, string, error) {
	set, err := a.Store.Settings(ctx, ws)
	if err != nil {
		return nil, "", err
	}
	var o verify.Overrides
	var key []string
	for _, name := range slices.Sorted(maps.Keys(listSettings)) {
		if v := set[name]; v != "" {
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

package workspace_test

import (
	"errors"
	"github.com/clearlist/clearlist/internal/campaign"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/eligibility"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/workspace"
)

// TestSettingNamesAgree: the setting eligibility reads is the one the workspace checks.
func TestSettingNamesAgree(t *testing.T) {
	if workspace.SettingExcludeRisky != eligibility.SettingExcludeRisky {
		t.Fatalf("workspace %q, eligibility %q", workspace.SettingExcludeRisky, eligibility.SettingExcludeRisky)
	}
	for ours, theirs := range map[string]string{workspace.SettingSenderName: campaign.SettingSenderName,
		workspace.SettingPostalAddress: campaign.SettingPostalAddress, workspace.SettingBounceDomain: campaign.SettingBounceDomain,
		workspace.SettingTrackOpens: campaign.SettingTrackOpens, workspace.SettingTrackClicks: campaign.SettingTrackClicks,
		workspace.SettingTrackIndividual: campaign.SettingTrackIndividual} {
		if ours != theirs {
			t.Errorf("workspace %q, campaign %q", ours, theirs)
		}
	}
}

// TestWorkspaceService creates, selects, renames and deletes workspaces and sets their
// settings, on both engines.
func TestWorkspaceService(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc := workspace.New(st)
		if _, err := svc.Create(ctx, "Bad Name"); err == nil || !strings.Contains(err.Error(), "lower-case letters") {
			t.Fatalf("create with a bad name: %v", err)
		}
		acme, err := svc.Create(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Create(ctx, "acme"); err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("create twice: %v", err)
		}
		if _, err := svc.Select(ctx, "nope"); !errors.Is(err, workspace.ErrNoWorkspace) ||
			!strings.Contains(err.Error(), "clearlist workspace create nope") || !strings.Contains(err.Error(), "acme") {
			t.Fatalf("select unknown: %v", err)
		}
		if err := svc.SetSetting(ctx, acme.ID, workspace.SettingDeadlineHours, "many"); err == nil {
			t.Fatal("a bad value was stored")
		}
		if err := svc.SetSetting(ctx, acme.ID, workspace.SettingProbe, "1"); err != nil {
			t.Fatal(err)
		}
		if on, err := svc.SettingBool(ctx, acme.ID, workspace.SettingProbe); err != nil || !on {
			t.Fatalf("probe = %v, %v", on, err)
		}
		vals, err := svc.SettingValues(ctx, acme.ID)
		if err != nil || len(vals) != len(workspace.Settings) {
			t.Fatalf("setting values: %d, %v", len(vals), err)
		}
		for _, v := range vals {
			if v.Set != (v.Name == workspace.SettingProbe) || (v.Set && v.Value != "true") {
				t.Errorf("setting %+v", v)
			}
		}
		if err := svc.Rename(ctx, "acme", "acme-ltd"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Rename(ctx, "acme", "other"); err == nil || !strings.Contains(err.Error(), "no workspace acme") {
			t.Fatalf("rename unknown: %v", err)
		}
		if _, _, err := st.CreateToken(ctx, acme.ID, "crm"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Delete(ctx, "acme-ltd", false); err == nil || !strings.Contains(err.Error(), "--force") {
			t.Fatalf("delete without force: %v", err)
		}
		holds, err := svc.Delete(ctx, "acme-ltd", true)
		if err != nil || holds.Tokens != 1 {
			t.Fatalf("delete with force: %+v, %v", holds, err)
		}
		all, err := svc.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range all {
			if w.Name == "acme-ltd" {
				t.Fatal("deleted workspace still listed")
			}
		}
	})
}

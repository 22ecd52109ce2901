package app

import "github.com/clearlist/clearlist/internal/workspace"

// The workspace settings (`clearlist setting set NAME VALUE`); see package workspace, which
// holds them and checks their values.
const (
	SettingExcludeRisky  = workspace.SettingExcludeRisky
	SettingProbe         = workspace.SettingProbe
	SettingDeadlineHours = workspace.SettingDeadlineHours
	SettingBulkSender    = workspace.SettingBulkSender
	SettingCORSOrigins   = workspace.SettingCORSOrigins
	// SettingAuditRetention is the days the audit trail keeps entries (audit.RetentionSetting).
	SettingAuditRetention = workspace.SettingAuditRetention
)

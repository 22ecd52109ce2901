package app

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/clearlist/clearlist/internal/eligibility"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/verify"
)

// The workspace settings (`clearlist setting set NAME VALUE`).
const (
	// SettingExcludeRisky: "true" keeps risky addresses out of campaigns (policy rule vfy-02).
	SettingExcludeRisky = eligibility.SettingExcludeRisky
	// SettingProbe: "true" lets verification connect to mail servers (SMTP RCPT probe).
	SettingProbe = verify.SettingProbe
	// SettingDeadlineHours: the workspace's own limit for do-not-contact requests to take
	// effect, in hours; it can only shorten the legal deadlines.
	SettingDeadlineHours = suppress.SettingDeadlineHours
	// SettingBulkSender: "true" applies the mailbox providers' 2-day unsubscribe rule to
	// every e-mail request (senders of more than 5,000 messages a day to Gmail or Yahoo).
	SettingBulkSender = suppress.SettingBulkSender
	// SettingCORSOrigins: the web origins (https://www.example.com, comma-separated) whose
	// pages may call the workspace's JSON sign-up API from a browser.
	SettingCORSOrigins = "public.cors_origins"
)

// Settings lists the workspace settings and what they do (verification's own come from
// verify.Settings).
var Settings = map[string]string{
	SettingExcludeRisky:  "true: risky addresses (disposable, role, catch-all, typo, odd syntax) are not mailed",
	SettingDeadlineHours: "hours within which a do-not-contact request must take effect (only ever shortens the legal deadline; 0: none)",
	SettingBulkSender:    "true: e-mail unsubscribes are due within 2 days (Gmail/Yahoo bulk-sender rule)",
	SettingCORSOrigins:   "web origins (https://www.example.com, comma-separated) whose pages may post to the JSON sign-up API from a browser",
}

// SetSetting validates and stores a workspace setting.
func (a *App) SetSetting(ctx context.Context, ws int64, name, value string) error {
	if _, ok := Settings[name]; !ok {
		names := make([]string, 0, len(Settings))
		for n := range Settings {
			names = append(names, n)
		}
		slices.Sort(names)
		return fmt.Errorf("unknown setting %q: use one of %v", name, names)
	}
	if _, ok := verify.Settings[name]; ok {
		return a.Verify.SetSetting(ctx, ws, name, value)
	}
	if name == SettingCORSOrigins {
		origins, err := signup.ParseOrigins(value)
		if err != nil {
			return fmt.Errorf("setting %s: %w", name, err)
		}
		return a.Store.SetSetting(ctx, ws, name, strings.Join(origins, ","))
	}
	if name == SettingDeadlineHours {
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 24*365 {
			return fmt.Errorf("setting %s: give a number of hours (0 for none), not %q", name, value)
		}
		return a.Store.SetSetting(ctx, ws, name, strconv.Itoa(n))
	}
	b, err := strconv.ParseBool(value)
	if err != nil {
		return fmt.Errorf("setting %s: give true or false, not %q", name, value)
	}
	return a.Store.SetSetting(ctx, ws, name, strconv.FormatBool(b))
}

func init() {
	maps.Copy(Settings, verify.Settings)
}

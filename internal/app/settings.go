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
	SettingProbe = "verify.probe"
	// SettingDeadlineHours: the workspace's own limit for do-not-contact requests to take
	// effect, in hours; it can only shorten the legal deadlines.
	SettingDeadlineHours = suppress.SettingDeadlineHours
	// SettingBulkSender: "true" applies the mailbox providers' 2-day unsubscribe rule to
	// every e-mail request (senders of more than 5,000 messages a day to Gmail or Yahoo).
	SettingBulkSender = suppress.SettingBulkSender
	// SettingCORSOrigins: the web origins (https://www.example.com, comma-separated) whose
	// pages may call the workspace's JSON sign-up API from a browser.
	SettingCORSOrigins = signup.SettingCORSOrigins
)

// listSettings are the workspace's changes to the embedded verification lists: comma-separated
// domains (or, for roles, local parts), each applied with verify.Lists.With.
var listSettings = map[string]func(o *verify.Overrides, v []string){
	"verify.disposable.add":    func(o *verify.Overrides, v []string) { o.AddDisposable = v },
	"verify.disposable.remove": func(o *verify.Overrides, v []string) { o.RemoveDisposable = v },
	"verify.free.add":          func(o *verify.Overrides, v []string) { o.AddFree = v },
	"verify.free.remove":       func(o *verify.Overrides, v []string) { o.RemoveFree = v },
	"verify.role.add":          func(o *verify.Overrides, v []string) { o.AddRoles = v },
	"verify.role.remove":       func(o *verify.Overrides, v []string) { o.RemoveRoles = v },
	"verify.known.add":         func(o *verify.Overrides, v []string) { o.AddKnown = v },
}

// Settings lists the workspace settings and what they do.
var Settings = map[string]string{
	SettingExcludeRisky:        "true: risky addresses (disposable, role, catch-all, typo, odd syntax) are not mailed",
	SettingProbe:               "true: verification may ask the receiving mail server whether a mailbox exists (SMTP, no message sent)",
	SettingDeadlineHours:       "hours within which a do-not-contact request must take effect (only ever shortens the legal deadline; 0: none)",
	SettingBulkSender:          "true: e-mail unsubscribes are due within 2 days (Gmail/Yahoo bulk-sender rule)",
	SettingCORSOrigins:         "web origins (https://www.example.com, comma-separated) whose pages may post to the JSON sign-up API from a browser",
	"verify.disposable.add":    "domains to treat as disposable, comma-separated",
	"verify.disposable.remove": "domains not to treat as disposable",
	"verify.free.add":          "domains to treat as free-mail (personal) providers",
	"verify.free.remove":       "domains not to treat as free-mail providers",
	"verify.role.add":          "local parts to treat as role accounts (e.g. einkauf, ventas)",
	"verify.role.remove":       "local parts not to treat as role accounts",
	"verify.known.add":         "real domains never to flag as typos (your own, your partners')",
}

// settingBool reads a true/false workspace setting (unset is false).
func (a *App) settingBool(ctx context.Context, ws int64, name string) (bool, error) {
	v, ok, err := a.Store.Setting(ctx, ws, name)
	if err != nil || !ok {
		return false, err
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("workspace setting %s = %q: set it to true or false", name, v)
	}
	return b, nil
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
	if apply, ok := listSettings[name]; ok {
		var o verify.Overrides
		items := splitItems(value)
		apply(&o, items)
		if _, err := verify.Default().With(o); err != nil {
			return fmt.Errorf("setting %s: %w", name, err)
		}
		return a.Store.SetSetting(ctx, ws, name, strings.Join(items, ","))
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

func splitItems(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

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

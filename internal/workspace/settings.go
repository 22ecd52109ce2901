package workspace

import (
	"context"
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce/espsettings"
	"github.com/clearlist/clearlist/internal/verify"
)

// The workspace settings (`clearlist setting set NAME VALUE`).
const (
	// SettingExcludeRisky: "true" keeps risky addresses out of campaigns (policy rule vfy-02);
	// eligibility reads it (eligibility.SettingExcludeRisky).
	SettingExcludeRisky = "verify.exclude_risky"
	// SettingProbe: "true" lets verification connect to mail servers (SMTP RCPT probe).
	SettingProbe = verify.SettingProbe
	// SettingDeadlineHours: the workspace's own limit for do-not-contact requests to take
	// effect, in hours; it can only shorten the legal deadlines.
	SettingDeadlineHours = "suppress.deadline_hours"
	// SettingBulkSender: "true" applies the mailbox providers' 2-day unsubscribe rule to
	// every e-mail request (senders of more than 5,000 messages a day to Gmail or Yahoo).
	SettingBulkSender = "suppress.bulk_sender"
	// SettingCORSOrigins: the web origins (https://www.example.com, comma-separated) whose
	// pages may call the workspace's JSON sign-up API from a browser.
	SettingCORSOrigins = "public.cors_origins"
	// SettingAuditRetention: days the audit trail keeps entries (0 or unset: for ever); older
	// ones are removed daily, the chain kept verifiable from an anchor.
	SettingAuditRetention = audit.RetentionSetting
	// SettingMaxBounceRate and SettingMaxComplaintRate: the shares (0 to 1) of hard bounces
	// and complaints above which a campaign pauses itself; campaign reads them
	// (campaign.SettingMaxBounceRate, campaign.SettingMaxComplaintRate).
	SettingMaxBounceRate    = "campaign.max_bounce_rate"
	SettingMaxComplaintRate = "campaign.max_complaint_rate"
	// SettingSenderName and SettingPostalAddress: the sender identity and postal address
	// every campaign message's footer carries; a campaign does not start without them.
	SettingSenderName    = "sender.name"
	SettingPostalAddress = "sender.postal_address"
	// SettingBounceDomain: the domain of the VERP Return-Path (bounces+…@DOMAIN); default
	// the From address's domain.
	SettingBounceDomain = "bounce.domain"
	// SettingTrackOpens, SettingTrackClicks: "true" adds the open pixel / rewrites links to
	// count opens and clicks; SettingTrackIndividual: "true" lets the counts name the contact
	// (aggregate only otherwise). All off by default.
	SettingTrackOpens      = "tracking.opens"
	SettingTrackClicks     = "tracking.clicks"
	SettingTrackIndividual = "tracking.individual"
	// SettingTransactionalFrom and SettingTransactionalRate: the sender identity and the
	// rate (messages a second) of transactional messages (POST /api/v1/transactional).
	SettingTransactionalFrom = "transactional.from"
	SettingTransactionalRate = "transactional.rate"
	// SettingCampaignTimeZone: the default IANA time zone of campaigns sent at each
	// recipient's local time (campaign.SettingTimeZone).
	SettingCampaignTimeZone = "campaign.timezone"
	// SettingBounceSoftLimit and SettingBounceSoftWindowDays: an address that soft-bounces
	// this many times within this many days goes on the do-not-contact list (bounce reads
	// them); SettingBounceKeepDays: days received bounce messages are kept for audit.
	SettingBounceSoftLimit      = "bounce.soft_limit"
	SettingBounceSoftWindowDays = "bounce.soft_window_days"
	SettingBounceKeepDays       = "bounce.keep_days"
)

// Settings lists the workspace settings and what they do.
var Settings = map[string]string{
	SettingExcludeRisky:     "true: risky addresses (disposable, role, catch-all, typo, odd syntax) are not mailed",
	SettingDeadlineHours:    "hours within which a do-not-contact request must take effect (only ever shortens the legal deadline; 0: none)",
	SettingBulkSender:       "true: e-mail unsubscribes are due within 2 days (Gmail/Yahoo bulk-sender rule)",
	SettingCORSOrigins:      "web origins (https://www.example.com, comma-separated) whose pages may post to the JSON sign-up API from a browser",
	SettingMaxBounceRate:    "share of hard bounces (0 to 1) above which a campaign pauses itself (default 0.05; 0: no guard)",
	SettingMaxComplaintRate: "share of complaints (0 to 1) above which a campaign pauses itself (default 0.003; 0: no guard)",
	SettingSenderName:       "the sender identity every campaign message's footer names (e.g. the company); required to start a campaign",
	SettingPostalAddress:    "the sender's postal address every campaign message's footer carries; required to start a campaign",
	SettingBounceDomain:     "domain of the VERP Return-Path bounces go to (bounces+…@DOMAIN); default the From address's domain",
	SettingInboundDomains:   "more domains (comma-separated, e.g. the campaigns' reply-to domain) the inbound SMTP server takes mail for, besides bounce.domain",
	SettingTrackOpens:       "true: campaign messages carry an open pixel (default off)",
	SettingTrackClicks:      "true: campaign messages' links are rewritten to count clicks (default off)",
	SettingTrackIndividual:  "true: opens and clicks are recorded per contact, not only as counts (default off)",
	SettingAuditRetention:   "days the audit trail keeps entries (0: for ever, the default); older ones are removed daily, `audit verify` checks from the kept anchor",

	// Campaign reports and sending (tracking, local time, the transactional stream).
	SettingCampaignTimeZone:  "IANA time zone (e.g. Europe/Berlin) of recipients with neither a timezone attribute nor a country, for campaigns at local time (default UTC)",
	SettingTransactionalFrom: "the sender of transactional messages, \"Name <address>\" (required to send them)",
	SettingTransactionalRate: "most transactional messages a second, across every server (default 10)",

	// Bounce processing.
	SettingBounceSoftLimit:      "soft bounces of an address within bounce.soft_window_days that put it on the do-not-contact list (default 3)",
	SettingBounceSoftWindowDays: "days over which soft bounces are counted (default 15)",
	SettingBounceKeepDays:       "days received bounce, complaint and reply messages are kept for audit before they are deleted (default 30)",
}

// The settings of address verification are declared and checked in package verify, those of
// the mail providers' webhooks (esp.*) in package espsettings.
func init() {
	maps.Copy(Settings, verify.Settings)
	maps.Copy(Settings, espsettings.Settings)
}

// SettingNames returns the names of Settings, sorted.
func SettingNames() []string {
	names := make([]string, 0, len(Settings))
	for n := range Settings {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// NormalizeSetting checks a value for the named setting and returns the form it is stored in:
// lists without blanks, origins canonical, hours as a plain number, booleans as true or false.
func NormalizeSetting(name, value string) (string, error) {
	if _, ok := Settings[name]; !ok {
		return "", fmt.Errorf("unknown setting %q: use one of %v", name, SettingNames())
	}
	if _, ok := verify.Settings[name]; ok {
		return verify.NormalizeSetting(name, value)
	}
	if _, ok := espsettings.Settings[name]; ok {
		return espsettings.NormalizeSetting(name, value)
	}
	switch name {
	case SettingCORSOrigins:
		origins, err := ParseOrigins(value)
		if err != nil {
			return "", fmt.Errorf("setting %s: %w", name, err)
		}
		return strings.Join(origins, ","), nil
	case SettingAuditRetention:
		n, err := audit.ParseRetention(value)
		if err != nil {
			return "", err
		}
		return strconv.Itoa(n), nil
	case SettingMaxBounceRate, SettingMaxComplaintRate:
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || f < 0 || f > 1 {
			return "", fmt.Errorf("setting %s: give a share between 0 and 1 (0.05 is five per cent), not %q", name, value)
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	case SettingTransactionalFrom:
		a, err := mail.ParseAddress(value)
		if err != nil || strings.ContainsAny(value, "\r\n") {
			return "", fmt.Errorf("setting %s: give a sender as \"Name <address>\", not %q", name, value)
		}
		return a.String(), nil
	case SettingTransactionalRate:
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || f <= 0 || f > 100000 {
			return "", fmt.Errorf("setting %s: give messages a second (more than 0), not %q", name, value)
		}
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	case SettingCampaignTimeZone:
		v := strings.TrimSpace(value)
		if _, err := time.LoadLocation(v); err != nil || v == "" || v == "Local" {
			return "", fmt.Errorf("setting %s: give an IANA time zone such as Europe/Berlin, not %q", name, value)
		}
		return v, nil
	case SettingSenderName, SettingPostalAddress:
		return normalizeLine(name, value, 300)
	case SettingBounceDomain:
		return normalizeDomain(name, value)
	case SettingInboundDomains:
		return normalizeDomains(name, value)
	case SettingBounceSoftLimit, SettingBounceSoftWindowDays, SettingBounceKeepDays:
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil || n < 1 || n > 3650 {
			return "", fmt.Errorf("setting %s: give a whole number from 1 to 3650, not %q", name, value)
		}
		return strconv.Itoa(n), nil
	case SettingDeadlineHours:
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 24*365 {
			return "", fmt.Errorf("setting %s: give a number of hours (0 for none), not %q", name, value)
		}
		return strconv.Itoa(n), nil
	}
	b, err := strconv.ParseBool(value)
	if err != nil {
		return "", fmt.Errorf("setting %s: give true or false, not %q", name, value)
	}
	return strconv.FormatBool(b), nil
}

// SetSetting checks and stores a workspace setting.
func (s *Service) SetSetting(ctx context.Context, ws int64, name, value string) error {
	v, err := NormalizeSetting(name, value)
	if err != nil {
		return err
	}
	if espsettings.Secret(name) {
		return s.setSecret(ctx, ws, name, v)
	}
	return s.st.SetSetting(ctx, ws, name, v)
}

// Setting returns a workspace setting's value, and whether it is set.
func (s *Service) Setting(ctx context.Context, ws int64, name string) (string, bool, error) {
	return s.st.Setting(ctx, ws, name)
}

// SettingBool reads a true/false workspace setting (unset is false).
func (s *Service) SettingBool(ctx context.Context, ws int64, name string) (bool, error) {
	v, ok, err := s.st.Setting(ctx, ws, name)
	if err != nil || !ok {
		return false, err
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("workspace setting %s = %q: set it to true or false", name, v)
	}
	return b, nil
}

// SettingValue is one setting of a workspace, for `clearlist setting ls`.
type SettingValue struct {
	Name    string `json:"name"`
	Value   string `json:"value,omitempty"`
	Set     bool   `json:"set"`
	Meaning string `json:"meaning"`
}

// SettingValues returns every setting by name with the workspace's value.
func (s *Service) SettingValues(ctx context.Context, ws int64) ([]SettingValue, error) {
	var out []SettingValue
	for _, n := range SettingNames() {
		v, ok, err := s.st.Setting(ctx, ws, n)
		if err != nil {
			return nil, err
		}
		if espsettings.Secret(n) {
			if _, ok, err = s.SecretSetting(ctx, ws, n); err != nil {
				return nil, err
			}
			v = map[bool]string{true: secretShown}[ok]
		}
		out = append(out, SettingValue{Name: n, Value: v, Set: ok, Meaning: Settings[n]})
	}
	return out, nil
}

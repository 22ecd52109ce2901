package workspace

import (
	"github.com/clearlist/clearlist/internal/verify"
	"strings"
	"testing"
)

// TestNormalizeSetting: each kind of setting is checked and stored in one form; an unknown
// name lists the known ones.
func TestNormalizeSetting(t *testing.T) {
	tests := []struct {
		name, value, want, err string
	}{
		{SettingExcludeRisky, "TRUE", "true", ""},
		{SettingExcludeRisky, "yes", "", "give true or false"},
		{SettingProbe, "0", "false", ""},
		{SettingDeadlineHours, "24", "24", ""},
		{SettingDeadlineHours, "-1", "", "number of hours"},
		{SettingDeadlineHours, "9000", "", "number of hours"},
		{SettingDeadlineHours, "1.5", "", "number of hours"},
		{SettingCORSOrigins, "https://www.shop.example, http://localhost:3000", "https://www.shop.example,http://localhost:3000", ""},
		{SettingCORSOrigins, "https://*.example", "", SettingCORSOrigins},
		{"verify.role.add", " einkauf, ,vertrieb ", "einkauf,vertrieb", ""},
		{"verify.free.add", "not a domain!", "", "verify.free.add"},
		{"verify.nonsense", "true", "", "unknown setting"},
		{SettingSenderName, "  Example   Ltd ", "Example Ltd", ""},
		{SettingSenderName, " \n ", "", "clearlist setting set sender.name"},
		{SettingPostalAddress, "1 High St,\r\n  London\nUK", "1 High St, London, UK", ""},
		{SettingPostalAddress, "1 High St\x00", "", "control characters"},
		{SettingPostalAddress, strings.Repeat("x", 301), "", "at most 300"},
		{SettingBounceDomain, " Bounces.Example.COM. ", "bounces.example.com", ""},
		{SettingBounceDomain, "localhost", "", "domain name"},
		{SettingBounceDomain, "bad_domain.example", "", "domain name"},
		{SettingTrackClicks, "1", "true", ""},
		{SettingTrackIndividual, "maybe", "", "give true or false"},
	}
	for _, tt := range tests {
		got, err := NormalizeSetting(tt.name, tt.value)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("NormalizeSetting(%s, %q) = %q, %v; want an error with %q", tt.name, tt.value, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeSetting(%s, %q) = %q, %v; want %q", tt.name, tt.value, got, err, tt.want)
		}
	}
	for name := range verify.Settings {
		if _, ok := Settings[name]; !ok {
			t.Errorf("verification setting %s is missing from the workspace's Settings", name)
		}
	}
}

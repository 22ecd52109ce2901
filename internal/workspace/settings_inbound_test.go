package workspace

import "testing"

func TestNormalizeInboundDomains(t *testing.T) {
	got, err := NormalizeSetting(SettingInboundDomains, " Replies.Example.com, news.example.org.,replies.example.com,, ")
	if err != nil || got != "replies.example.com,news.example.org" {
		t.Errorf("got %q, %v", got, err)
	}
	for _, bad := range []string{"replies@example.com", "example", "exa mple.com,b.org"} {
		if _, err := NormalizeSetting(SettingInboundDomains, bad); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
}

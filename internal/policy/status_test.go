package policy

import (
	"testing"
	"time"
)

// TestContactStatus: a contact's status overrides every basis: unsubscribed refuses
// marketing on every channel, bounced refuses e-mail, blocked refuses everything.
func TestContactStatus(t *testing.T) {
	base := Facts{
		Purpose: Purpose{Name: "newsletter", Marketing: true}, Channel: ChannelEmail, Country: "DE",
		EmailDomain: "example.com", Source: SourceFacts{Type: SourceWebFormDoubleOptIn, DoubleOptIn: true},
		Consent: ConsentFacts{State: ConsentConfirmed, GrantedAt: time.Now().Add(-time.Hour), ConfirmedAt: time.Now()},
		Now:     time.Now(),
	}
	if v := Evaluate(&base); !v.Allowed {
		t.Fatalf("baseline refused: %+v", v.Decisive())
	}
	service := Purpose{Name: "security-notices", Essential: true}
	for _, tc := range []struct {
		status  ContactStatus
		purpose Purpose
		channel Channel
		allowed bool
		rule    string
	}{
		{StatusUnsubscribed, base.Purpose, ChannelEmail, false, "sts-01"},
		{StatusUnsubscribed, base.Purpose, ChannelSMS, false, "sts-01"},
		{StatusBounced, base.Purpose, ChannelEmail, false, "sts-02"},
		{StatusBounced, service, ChannelEmail, false, "sts-02"},
		{StatusBlocked, service, ChannelEmail, false, "sts-03"},
		{StatusBlocked, base.Purpose, ChannelPhone, false, "sts-03"},
	} {
		f := base
		f.Status, f.Purpose, f.Channel = tc.status, tc.purpose, tc.channel
		v := Evaluate(&f)
		if v.Allowed != tc.allowed || v.Decisive().RuleID != tc.rule {
			t.Errorf("status %d, %s on %s: allowed %v by %s, want %v by %s", tc.status, tc.purpose.Name, tc.channel,
				v.Allowed, v.Decisive().RuleID, tc.allowed, tc.rule)
		}
	}
	if _, err := ParseContactStatus("gone"); err == nil {
		t.Error("unknown status accepted")
	}
}

// TestSuppressed: a do-not-contact match refuses every purpose on the channel, however strong
// the consent, except an essential service message.
func TestSuppressed(t *testing.T) {
	f := Facts{
		Purpose: Purpose{Name: "newsletter", Marketing: true}, Channel: ChannelEmail, Country: "US",
		Source:   SourceFacts{Type: SourceWebFormDoubleOptIn, DoubleOptIn: true},
		Consent:  ConsentFacts{State: ConsentConfirmed, GrantedAt: time.Now().Add(-time.Hour), ConfirmedAt: time.Now()},
		Customer: CustomerFacts{Existing: true}, Suppressed: true, Now: time.Now(),
	}
	for _, tc := range []struct {
		purpose Purpose
		channel Channel
		allowed bool
		rule    string
	}{
		{f.Purpose, ChannelEmail, false, "dnc-01"},
		{f.Purpose, ChannelPhone, false, "dnc-01"},
		{Purpose{Name: "surveys"}, ChannelEmail, false, "dnc-01"},
		{Purpose{Name: "security-notices", Essential: true}, ChannelEmail, true, "svc-01"},
	} {
		g := f
		g.Purpose, g.Channel = tc.purpose, tc.channel
		v := Evaluate(&g)
		if v.Allowed != tc.allowed || v.Decisive().RuleID != tc.rule {
			t.Errorf("%s on %s: allowed %v by %s, want %v by %s", tc.purpose.Name, tc.channel, v.Allowed, v.Decisive().RuleID, tc.allowed, tc.rule)
		}
	}
	f.Suppressed = false
	if v := Evaluate(&f); !v.Allowed {
		t.Fatalf("not suppressed: %+v", v.Decisive())
	}
}

// TestAddressVerdict: an undeliverable address gets no e-mail at all; a risky one none when
// the workspace excludes risky addresses; other channels are not affected.
func TestAddressVerdict(t *testing.T) {
	f := Facts{
		Purpose: Purpose{Name: "newsletter", Marketing: true}, Channel: ChannelEmail, Country: "DE",
		Source:  SourceFacts{Type: SourceWebFormDoubleOptIn, DoubleOptIn: true},
		Consent: ConsentFacts{State: ConsentConfirmed, GrantedAt: time.Now().Add(-time.Hour), ConfirmedAt: time.Now()},
		Now:     time.Now(),
	}
	for _, tc := range []struct {
		verdict AddressVerdict
		exclude bool
		channel Channel
		allowed bool
		rule    string
	}{
		{VerdictUndeliverable, false, ChannelEmail, false, "vfy-01"},
		{VerdictRisky, true, ChannelEmail, false, "vfy-02"},
		{VerdictRisky, false, ChannelEmail, true, "src-16"},
		{VerdictDeliverable, true, ChannelEmail, true, "src-16"},
		{VerdictUnknown, true, ChannelEmail, true, "src-16"},
	} {
		g := f
		g.EmailVerdict, g.ExcludeRisky, g.Channel = tc.verdict, tc.exclude, tc.channel
		v := Evaluate(&g)
		if v.Allowed != tc.allowed || (!tc.allowed && v.Decisive().RuleID != tc.rule) {
			t.Errorf("verdict %d exclude %v: allowed %v by %s, want %v by %s", tc.verdict, tc.exclude, v.Allowed, v.Decisive().RuleID, tc.allowed, tc.rule)
		}
	}
	for _, s := range []string{"deliverable", "risky", "undeliverable", "unknown", "", "garbage"} {
		if got := ParseAddressVerdict([]byte(s)); (s == "garbage" || s == "" || s == "unknown") != (got == VerdictUnknown) {
			t.Errorf("ParseAddressVerdict(%q) = %d", s, got)
		}
	}
}

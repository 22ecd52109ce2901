package suppress

import (
	"fmt"
	"strings"
)

// The channels a scope can name.
const (
	ChannelEmail = "email"
	ChannelPhone = "phone"
	ChannelSMS   = "sms"
)

// Channels lists the channels a scope can be limited to.
func Channels() []string { return []string{ChannelEmail, ChannelPhone, ChannelSMS} }

// Scope is what an entry blocks: everything (the zero value), one channel,
// one purpose on every channel, or one purpose on one channel.
type Scope struct {
	Channel string `json:"channel,omitempty"` // "" = every channel
	Purpose string `json:"purpose,omitempty"` // "" = every purpose
}

// ScopeAll blocks every channel and purpose.
var ScopeAll = Scope{}

// All reports whether s blocks everything.
func (s Scope) All() bool { return s == ScopeAll }

// String writes s as ParseScope reads it: "all", "email",
// "purpose:newsletter" or "email:newsletter".
func (s Scope) String() string {
	switch {
	case s.Channel == "" && s.Purpose == "":
		return "all"
	case s.Purpose == "":
		return s.Channel
	case s.Channel == "":
		return "purpose:" + s.Purpose
	}
	return s.Channel + ":" + s.Purpose
}

// Covers reports whether s blocks a contact on channel for purpose. An empty
// channel or purpose in the question means "not known", and every scope
// covers it: a caller that cannot say what it will send is told no.
func (s Scope) Covers(channel, purpose string) bool {
	return (s.Channel == "" || channel == "" || s.Channel == channel) &&
		(s.Purpose == "" || purpose == "" || s.Purpose == purpose)
}

// Validate checks the channel is known and the purpose is a slug.
func (s Scope) Validate() error {
	if s.Channel != "" && channelIndex(s.Channel) < 0 {
		return fmt.Errorf("%w: unknown channel %q in scope: use email, phone or sms, or none for every channel", ErrInvalid, s.Channel)
	}
	if s.Purpose != "" {
		return checkPurpose(s.Purpose)
	}
	return nil
}

// ParseScope reads a scope as a user types it: "all" (or ""), a channel
// ("email", "phone", "sms"), "purpose:<name>" for one purpose on every
// channel, or "<channel>:<name>" for one purpose on one channel. The error
// lists the accepted forms.
func ParseScope(raw string) (Scope, error) {
	s := strings.ToLower(strings.TrimSpace(raw))
	if s == "" || s == "all" || s == "*" {
		return ScopeAll, nil
	}
	head, purpose, hasPurpose := strings.Cut(s, ":")
	sc := Scope{}
	switch head {
	case "purpose":
		if !hasPurpose {
			return Scope{}, scopeError(raw)
		}
	case "all", "*":
		// "all:newsletter" is the purpose on every channel.
	case "e-mail":
		sc.Channel = ChannelEmail
	default:
		if channelIndex(head) < 0 {
			return Scope{}, scopeError(raw)
		}
		sc.Channel = head
	}
	if hasPurpose {
		if err := checkPurpose(purpose); err != nil {
			return Scope{}, err
		}
		sc.Purpose = purpose
	}
	return sc, nil
}

func scopeError(raw string) error {
	return fmt.Errorf("%w: unknown scope %q: use all, email, phone, sms, purpose:<name> (one purpose, every channel) or <channel>:<name>", ErrInvalid, raw)
}

// checkPurpose applies the consent package's purpose-name rule: lower-case
// letters, digits and inner hyphens, at most 64 characters.
func checkPurpose(p string) error {
	ok := p != "" && len(p) <= 64 && p[0] != '-' && p[len(p)-1] != '-'
	for i := 0; ok && i < len(p); i++ {
		c := p[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
	}
	if !ok {
		return fmt.Errorf("%w: purpose %q: use a purpose name of lower-case letters, digits and hyphens (at most 64), e.g. newsletter", ErrInvalid, p)
	}
	return nil
}

// channelIndex numbers the channels for the index's counters; -1 if unknown.
func channelIndex(ch string) int {
	switch ch {
	case ChannelEmail:
		return 0
	case ChannelPhone:
		return 1
	case ChannelSMS:
		return 2
	}
	return -1
}

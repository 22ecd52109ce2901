package suppress

import (
	"slices"
	"strings"
	"time"
)

// Deadline returns when a request received at received, to stop contact on
// channel ("" = every channel) with a contact in jurisdiction (an ISO 3166
// code such as "US", "US-CA", "DE"; "" = unknown), must take effect at the
// latest, and the rule that sets it. Every matching rule binds, so the
// earliest deadline wins; a jurisdiction with no rule for the channel, or an
// unknown one, gets the strictest rule for the channel; a workspace limit
// applies when it is earlier still.
//
// Business days are counted in received's location from the day after
// receipt, and the deadline is the midnight that ends the last one; hour
// rules run from the instant of receipt.
func (r *Rules) Deadline(received time.Time, channel, jurisdiction string) (time.Time, RuleID) {
	chans := []string{channel}
	if channelIndex(channel) < 0 {
		chans = Channels()
	}
	var best time.Time
	var id RuleID
	for _, ch := range chans {
		for _, rule := range r.applicable(ch, jurisdiction) {
			if t := rule.deadline(received); best.IsZero() || t.Before(best) {
				best, id = t, rule.ID
			}
		}
	}
	if lim := r.settings.Limit; lim > 0 {
		if t := received.Add(lim); best.IsZero() || t.Before(best) {
			best, id = t, RuleWorkspace
		}
	}
	return best, id
}

// applicable returns the rules that bind a request on channel in
// jurisdiction.
func (r *Rules) applicable(channel, jurisdiction string) []*Rule {
	j := strings.ToUpper(strings.TrimSpace(jurisdiction))
	country, _, _ := strings.Cut(j, "-")
	var own, everywhere, all []*Rule
	for i := range r.rules {
		rule := &r.rules[i]
		if !slices.Contains(rule.Channels, channel) || !r.active(rule) {
			continue
		}
		all = append(all, rule)
		switch {
		case slices.Contains(rule.Jurisdictions, "*"):
			everywhere = append(everywhere, rule)
		case j != "" && (slices.Contains(rule.Jurisdictions, j) || slices.Contains(rule.Jurisdictions, country)):
			own = append(own, rule)
		}
	}
	if len(own) == 0 {
		return all // unknown or uncovered: the strictest of all applies
	}
	return append(own, everywhere...)
}

func (r *Rules) active(rule *Rule) bool {
	return rule.When == "" || rule.When == whenBulkSender && r.settings.BulkSender
}

// deadline applies one rule to a receipt time.
func (rule *Rule) deadline(received time.Time) time.Time {
	if rule.Hours > 0 {
		return received.Add(time.Duration(rule.Hours) * time.Hour)
	}
	y, m, d := received.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, received.Location())
	for n := rule.BusinessDays; n > 0; {
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, day.Location())
		if BusinessDay(day, rule.Calendar) {
			n--
		}
	}
	return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, day.Location())
}

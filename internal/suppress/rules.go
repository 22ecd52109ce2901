package suppress

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

//go:embed rules.json
var defaultRulesJSON []byte

// RuleID names a deadline rule.
type RuleID string

// RuleWorkspace is the RuleID of a deadline set by a workspace's own,
// shorter limit.
const RuleWorkspace RuleID = "dl-workspace"

// Rule is one deadline rule of rules.json.
type Rule struct {
	ID            RuleID   `json:"id"`
	Channels      []string `json:"channels"`
	Jurisdictions []string `json:"jurisdictions"` // ISO 3166 codes; "*" = every jurisdiction
	When          string   `json:"when,omitempty"`
	BusinessDays  int      `json:"business_days,omitempty"`
	Calendar      string   `json:"calendar,omitempty"`
	Hours         int      `json:"hours,omitempty"`
	Citation      string   `json:"citation"`
	Text          string   `json:"text"`
}

// The conditions a rule's When can name.
const whenBulkSender = "bulk-sender"

// Settings are a workspace's own deadline settings.
type Settings struct {
	// Limit is the workspace's own time limit from receipt. It can only
	// shorten a deadline: a limit longer than the law's never applies.
	Limit time.Duration
	// BulkSender applies the mailbox providers' 2-day unsubscribe rule to
	// every e-mail request (set it when sending more than 5,000 messages a
	// day to Gmail or Yahoo).
	BulkSender bool
}

// Rules is a versioned set of deadline rules with a workspace's settings.
type Rules struct {
	Version  string
	rules    []Rule
	settings Settings
}

var defaultRules = mustRules(defaultRulesJSON)

// DefaultRules returns the embedded rules (rules.json) with no workspace
// settings.
func DefaultRules() *Rules { return defaultRules }

// ParseRules reads rules in the shape of rules.json.
func ParseRules(data []byte) (*Rules, error) {
	var f struct {
		Version string `json:"version"`
		Rules   []Rule `json:"rules"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("deadline rules: %w", err)
	}
	seen := map[RuleID]bool{}
	for i := range f.Rules {
		r := &f.Rules[i]
		if err := r.check(); err != nil {
			return nil, fmt.Errorf("deadline rules: rule %d (%s): %w", i+1, r.ID, err)
		}
		if seen[r.ID] {
			return nil, fmt.Errorf("deadline rules: rule id %s is used twice", r.ID)
		}
		seen[r.ID] = true
		for j, c := range r.Jurisdictions {
			r.Jurisdictions[j] = strings.ToUpper(c)
		}
	}
	return &Rules{Version: f.Version, rules: f.Rules}, nil
}

func (rule *Rule) check() error {
	switch {
	case rule.ID == "" || rule.Citation == "" || rule.Text == "":
		return fmt.Errorf("give every rule an id, a citation and a text")
	case (rule.BusinessDays > 0) == (rule.Hours > 0):
		return fmt.Errorf("give either business_days or hours, a positive number")
	case len(rule.Channels) == 0 || len(rule.Jurisdictions) == 0:
		return fmt.Errorf("name the channels and jurisdictions the rule covers")
	case rule.When != "" && rule.When != whenBulkSender:
		return fmt.Errorf("unknown condition %q: use %s or none", rule.When, whenBulkSender)
	}
	for _, c := range rule.Channels {
		if channelIndex(c) < 0 {
			return fmt.Errorf("unknown channel %q: use email, phone or sms", c)
		}
	}
	return nil
}

func mustRules(data []byte) *Rules {
	r, err := ParseRules(data)
	if err != nil {
		panic(err) // the embedded rules are checked by TestDefaultRules
	}
	return r
}

// Rules returns a copy of the rules.
func (r *Rules) Rules() []Rule { return slices.Clone(r.rules) }

// Rule returns the rule with an id.
func (r *Rules) Rule(id RuleID) (Rule, bool) {
	for _, x := range r.rules {
		if x.ID == id {
			return x, true
		}
	}
	return Rule{}, false
}

// WithSettings returns the rules with a workspace's settings applied.
func (r *Rules) WithSettings(s Settings) (*Rules, error) {
	if s.Limit < 0 {
		return nil, fmt.Errorf("%w: the workspace's deadline limit %v is negative; give a positive duration such as 48h", ErrInvalid, s.Limit)
	}
	c := *r
	c.settings = s
	return &c, nil
}

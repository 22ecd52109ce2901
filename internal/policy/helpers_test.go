package policy

import (
	"strings"
	"time"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func days(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }

var (
	newsletter     = Purpose{Name: "newsletter", Marketing: true}
	productUpdates = Purpose{Name: "product-updates", Marketing: true, OwnSimilarProducts: true}
	security       = Purpose{Name: "security-notices", Essential: true}
	billing        = Purpose{Name: "billing-reminders"}
)

// base is a consumer in Germany with a recent, unmailed consent from src.
func base(src SourceType) Facts {
	return Facts{
		Purpose: newsletter, Channel: ChannelEmail, Country: "DE", EmailDomain: "gmail.com",
		Source:  SourceFacts{Type: src},
		Consent: ConsentFacts{State: ConsentGranted, GrantedAt: days(2)},
		Now:     now,
	}
}

func hasRule(v Verdict, id string) bool {
	for _, r := range v.Reasons {
		if r.RuleID == id {
			return true
		}
	}
	return false
}

func dump(v Verdict) string {
	var b strings.Builder
	for _, r := range v.Reasons {
		b.WriteString("\n  " + r.Outcome.String() + " " + r.RuleID + ": " + r.Text)
	}
	return b.String()
}

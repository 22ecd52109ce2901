// Package report answers what became of a campaign: counts and rates of the send log and of
// the events that followed (bounces, complaints, unsubscribes, opens, clicks), the same per
// receiving domain and per hour, and who is in each bucket as a list that pages (for export).
// It reads only; nothing here writes.
package report

import (
	"fmt"
	"slices"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
)

// Bucket names a group of a campaign's recipients.
type Bucket string

// The buckets. Delivered is "accepted by the relay" until delivery reports arrive; Bounced,
// Complained, Unsubscribed, Opened and Clicked come from the events table.
const (
	Sent         Bucket = "sent"
	Delivered    Bucket = "delivered"
	Failed       Bucket = "failed"
	Unknown      Bucket = "unknown"
	Excluded     Bucket = "excluded"
	Queued       Bucket = "queued"
	Bounced      Bucket = "bounced"
	Complained   Bucket = "complained"
	Unsubscribed Bucket = "unsubscribed"
	Opened       Bucket = "opened"
	Clicked      Bucket = "clicked"
)

// Buckets are the buckets in report order.
var Buckets = []Bucket{Sent, Delivered, Failed, Unknown, Excluded, Queued, Bounced, Complained, Unsubscribed, Opened, Clicked}

// ParseBucket checks a bucket name.
func ParseBucket(s string) (Bucket, error) {
	b := Bucket(s)
	if !slices.Contains(Buckets, b) {
		return "", fmt.Errorf("%w: unknown bucket %q: use one of %v", campaign.ErrInvalid, s, Buckets)
	}
	return b, nil
}

// State is the send-log state a bucket reads, or "" for the buckets of events.
func (b Bucket) State() campaign.DeliveryState {
	switch b {
	case Sent, Delivered:
		return campaign.Sent
	case Failed:
		return campaign.Failed
	case Unknown:
		return campaign.Unknown
	case Excluded:
		return campaign.Excluded
	case Queued:
		return campaign.Queued
	}
	return ""
}

// EventKind is the event kind a bucket reads, or "" for the send-log buckets.
func (b Bucket) EventKind() string {
	switch b {
	case Bounced, Complained, Unsubscribed:
		return string(b)
	case Opened:
		return "open"
	case Clicked:
		return "click"
	}
	return ""
}

// Tracking says whether a bucket's members are known only when the workspace keeps
// individual tracking (opens and clicks).
func (b Bucket) Tracking() bool { return b == Opened || b == Clicked }

// Engagement counts one kind of event: people's fetches, machines' (privacy proxies,
// scanners: left out of rates), and distinct contacts among people's (0 when the workspace
// keeps aggregate counts only).
type Engagement struct {
	People  int64 `json:"people"`
	Machine int64 `json:"machine"`
	Unique  int64 `json:"unique"`
}

// Rates are shares of the messages sent (delivered for opens and clicks), between 0 and 1.
type Rates struct {
	Delivery    float64 `json:"delivery"`
	Failure     float64 `json:"failure"`
	Bounce      float64 `json:"bounce"`
	Complaint   float64 `json:"complaint"`
	Unsubscribe float64 `json:"unsubscribe"`
	// Open and Click count distinct people with individual tracking; with aggregate
	// tracking only, people's fetches (an upper bound: one person may open twice).
	Open  float64 `json:"open"`
	Click float64 `json:"click"`
}

// Summary is a campaign's report.
type Summary struct {
	Campaign     int64          `json:"campaign"`
	Name         string         `json:"name"`
	State        campaign.State `json:"state"`
	Recipients   int            `json:"recipients"` // rows of the send log, excluded ones too
	Sent         int            `json:"sent"`
	Delivered    int            `json:"delivered"` // accepted by the relay, until delivery reports arrive
	Failed       int            `json:"failed"`
	Unknown      int            `json:"unknown"`
	Queued       int            `json:"queued"` // waiting or in flight
	Excluded     int            `json:"excluded"`
	ExcludedBy   map[string]int `json:"excluded_by,omitempty"`
	Bounced      int64          `json:"bounced"`
	Complained   int64          `json:"complained"`
	Unsubscribed int64          `json:"unsubscribed"`
	Opened       Engagement     `json:"opened"`
	Clicked      Engagement     `json:"clicked"`
	Rates        Rates          `json:"rates"`
	// Individual says whether the workspace keeps individual tracking: without it the
	// opened and clicked buckets have counts but no list of people.
	Individual bool `json:"individual_tracking"`
	// Held are an A/B test's rest, waiting for the decision (counted in Queued too);
	// Variants the test's figures per variant and Decision its recorded winner.
	Held     int                       `json:"held,omitempty"`
	Variants []campaign.VariantFigures `json:"variants,omitempty"`
	Decision *campaign.ABDecision      `json:"ab_decision,omitempty"`
	// Test is the campaign's A/B test, for the report's headings (its messages left out).
	Test *campaign.ABTest `json:"-"`
}

// Domain is the report of one receiving domain (the part of the address after @, lower
// case). The event counts are distinct contacts, so they count only events that name one.
type Domain struct {
	Domain       string `json:"domain"`
	Recipients   int    `json:"recipients"`
	Sent         int    `json:"sent"`
	Failed       int    `json:"failed"`
	Unknown      int    `json:"unknown"`
	Queued       int    `json:"queued"`
	Excluded     int    `json:"excluded"`
	Bounced      int    `json:"bounced"`
	Complained   int    `json:"complained"`
	Unsubscribed int    `json:"unsubscribed"`
	Opened       int    `json:"opened"`
	Clicked      int    `json:"clicked"`
}

// Hour is what happened in one hour (UTC): messages sent and failed for good (by when their
// outcome was recorded), and people's events (machines' left out).
type Hour struct {
	Hour         time.Time `json:"hour"`
	Sent         int       `json:"sent"`
	Failed       int       `json:"failed"`
	Bounced      int       `json:"bounced"`
	Complained   int       `json:"complained"`
	Unsubscribed int       `json:"unsubscribed"`
	Opened       int       `json:"opened"`
	Clicked      int       `json:"clicked"`
}

// Member is one recipient in a bucket. At is when the recipient entered it (the outcome's
// time, or the first event's).
type Member struct {
	ContactID int64     `json:"contact_id"`
	Address   string    `json:"address"`
	State     string    `json:"state"`
	Reason    string    `json:"reason,omitempty"`
	SMTPCode  int       `json:"smtp_code,omitempty"`
	MessageID string    `json:"message_id,omitempty"`
	At        time.Time `json:"at"`
}

// Page selects a page of a bucket: members after a contact id, at most Limit (1 to 10,000;
// 0 is 1,000).
type Page struct {
	Bucket Bucket
	After  int64
	Limit  int
}

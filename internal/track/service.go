package track

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Event is one fetch of a pixel or a tracked link, as stored.
type Event struct {
	Workspace int64
	Campaign  int64
	Contact   int64  // 0 when the workspace keeps aggregate counts only
	Kind      string // open or click
	At        time.Time
	Machine   bool
	Rule      string // the machine or proxy rule that matched
	URL       string // a click's target
	Variant   int    // the A/B variant of the message (1 = A); 0 outside a test
}

// The kinds of stored event.
const (
	EventOpen  = "open"
	EventClick = "click"
	// EventUnsubscribed is an unsubscribe through a campaign message's link (always with
	// the contact: the request names the person anyway); EventBounced and EventComplained
	// come from delivery reports and feedback loops.
	EventUnsubscribed = "unsubscribed"
	EventBounced      = "bounced"
	EventComplained   = "complained"
)

// Count is how many events of one kind a campaign has, people's and machines' apart.
type Count struct {
	Kind    string `json:"kind"`
	People  int64  `json:"people"`  // fetches classified as a person's (proxied opens included)
	Machine int64  `json:"machine"` // privacy proxies, scanners, bots: not in rates
	Unique  int64  `json:"unique"`  // distinct contacts among the people's (0 when aggregate only)
}

// Store is what the tracking service needs; the store implements it.
type Store interface {
	// SigningKey returns the workspace's key of that name, creating it on first use;
	// ExistingSigningKey only reads it (an error when there is none), so that a visitor's
	// link never creates one.
	SigningKey(ctx context.Context, ws int64, name string) ([]byte, error)
	ExistingSigningKey(ctx context.Context, ws int64, name string) ([]byte, error)
	// RecordEvent appends one event.
	RecordEvent(ctx context.Context, e Event) error
	// EventCounts counts a campaign's events per kind.
	EventCounts(ctx context.Context, ws, campaign int64) ([]Count, error)
}

// Service records opens and clicks and gives the campaign pipeline its link builder.
type Service struct {
	st  Store
	now func() time.Time
}

// New returns the service over st.
func New(st Store) *Service { return &Service{st: st, now: time.Now} }

// Linker returns the link builder of one campaign's messages, creating the workspace's key
// on first use. individual says whether tokens may name the contact (the workspace's
// tracking.individual setting); without it the links are the same for every recipient and
// are signed once (the returned Linker carries a shared cache). Set Contact per message.
func (s *Service) Linker(ctx context.Context, ws, campaign int64, publicBase string, individual bool) (Linker, error) {
	key, err := s.st.SigningKey(ctx, ws, KeyName)
	if err != nil {
		return Linker{}, fmt.Errorf("tracking link key: %w", err)
	}
	l := Linker{Base: strings.TrimSuffix(publicBase, "/"), Key: key, Workspace: ws, Campaign: campaign}
	if !individual {
		l.Cache = new(sync.Map)
	}
	return l, nil
}

// Open records a fetch of an open pixel. A bad token records nothing and is ErrInvalid;
// the caller answers with the pixel all the same.
func (s *Service) Open(ctx context.Context, token string, h Hit) error {
	t, err := s.verify(ctx, token, Open)
	if err != nil {
		return err
	}
	return s.record(ctx, t, EventOpen, h)
}

// Click records a click and returns where to send the visitor. A bad token is ErrInvalid.
func (s *Service) Click(ctx context.Context, token string, h Hit) (string, error) {
	t, err := s.verify(ctx, token, Click)
	if err != nil {
		return "", err
	}
	return t.URL, s.record(ctx, t, EventClick, h)
}

// Counts returns a campaign's open and click counts.
func (s *Service) Counts(ctx context.Context, ws, campaign int64) ([]Count, error) {
	return s.st.EventCounts(ctx, ws, campaign)
}

func (s *Service) verify(ctx context.Context, token string, kind Kind) (Token, error) {
	t, err := Verify(token, func(ws int64) ([]byte, error) { return s.st.ExistingSigningKey(ctx, ws, KeyName) })
	if err != nil || t.Kind != kind {
		return Token{}, ErrInvalid
	}
	return t, nil
}

func (s *Service) record(ctx context.Context, t Token, kind string, h Hit) error {
	if h.At.IsZero() {
		h.At = s.now()
	}
	v := Classify(h)
	return s.st.RecordEvent(ctx, Event{Workspace: t.Workspace, Campaign: t.Campaign, Contact: t.Contact, Kind: kind,
		At: h.At.UTC(), Machine: v.Machine, Rule: v.Rule, URL: t.URL, Variant: t.Variant})
}

package report

import (
	"context"
	"fmt"
	"strconv"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/track"
)

// SettingIndividual is the workspace setting that keeps opens and clicks per person
// ("true"); unset or "false", they are counted only.
const SettingIndividual = "tracking.individual"

// ErrAggregateOnly refuses the list of people who opened or clicked in a workspace that
// keeps aggregate tracking only (there is nobody to list, and no list should be made).
var ErrAggregateOnly = fmt.Errorf("%w: the workspace keeps aggregate tracking only (setting %s is off): "+
	"opens and clicks are counted, not recorded per person, so they have no list", campaign.ErrInvalid, SettingIndividual)

// Store is what reports read; the store implements it.
type Store interface {
	Campaign(ctx context.Context, ws, id int64) (campaign.Campaign, error)
	DeliveryCounts(ctx context.Context, ws, id int64) (campaign.Counts, error)
	EventCounts(ctx context.Context, ws, campaign int64) ([]track.Count, error)
	// ReportDomains is the report per receiving domain, most recipients first.
	ReportDomains(ctx context.Context, ws, id int64) ([]Domain, error)
	// ReportHours is the report per hour (UTC), in time order.
	ReportHours(ctx context.Context, ws, id int64) ([]Hour, error)
	// ReportMembers is a page of a bucket in contact id order.
	ReportMembers(ctx context.Context, ws, id int64, p Page) ([]Member, error)
	// VariantFigures counts an A/B test's deliveries and events per variant.
	VariantFigures(ctx context.Context, ws, id int64) ([]campaign.VariantFigures, error)
	// ReportLinks counts people's clicks per link, most clicked first.
	ReportLinks(ctx context.Context, ws, id int64) ([]Link, error)
}

// Settings reads a workspace setting (workspace.Service); ok is false when unset.
type Settings interface {
	Setting(ctx context.Context, ws int64, name string) (string, bool, error)
}

// Service answers campaign reports. It is safe for concurrent use.
type Service struct {
	st       Store
	settings Settings
}

// New returns the service; settings nil reads as aggregate tracking.
func New(st Store, settings Settings) *Service { return &Service{st: st, settings: settings} }

// Individual says whether the workspace keeps opens and clicks per person.
func (s *Service) Individual(ctx context.Context, ws int64) (bool, error) {
	if s.settings == nil {
		return false, nil
	}
	v, ok, err := s.settings.Setting(ctx, ws, SettingIndividual)
	if err != nil || !ok {
		return false, err
	}
	b, _ := strconv.ParseBool(v)
	return b, nil
}

// Summary counts the campaign's send log and events, with rates.
func (s *Service) Summary(ctx context.Context, ws, id int64) (Summary, error) {
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return Summary{}, err
	}
	counts, err := s.st.DeliveryCounts(ctx, ws, id)
	if err != nil {
		return Summary{}, err
	}
	events, err := s.st.EventCounts(ctx, ws, id)
	if err != nil {
		return Summary{}, fmt.Errorf("count events of campaign %d: %w", id, err)
	}
	ind, err := s.Individual(ctx, ws)
	if err != nil {
		return Summary{}, err
	}
	r := Summary{Campaign: c.ID, Name: c.Name, State: c.State, Individual: ind, ExcludedBy: counts.Excluded,
		Sent: counts.ByState[campaign.Sent], Failed: counts.ByState[campaign.Failed], Unknown: counts.ByState[campaign.Unknown],
		Queued:   counts.ByState[campaign.Queued] + counts.ByState[campaign.Claimed] + counts.ByState[campaign.Held],
		Excluded: counts.ByState[campaign.Excluded], Held: counts.ByState[campaign.Held], Decision: c.ABDecision}
	if c.AB != nil {
		r.Test = c.AB
		if r.Variants, err = s.Variants(ctx, c); err != nil {
			return Summary{}, err
		}
	}
	r.Delivered = r.Sent
	for _, n := range counts.ByState {
		r.Recipients += n
	}
	for _, e := range events {
		people := e.People
		if e.Unique > 0 { // people named: count each once
			people = e.Unique
		}
		switch e.Kind {
		case track.EventBounced:
			r.Bounced = people
		case track.EventComplained:
			r.Complained = people
		case track.EventUnsubscribed:
			r.Unsubscribed = people
		case track.EventOpen:
			r.Opened = Engagement{People: e.People, Machine: e.Machine, Unique: e.Unique}
		case track.EventClick:
			r.Clicked = Engagement{People: e.People, Machine: e.Machine, Unique: e.Unique}
		}
	}
	r.Rates = rates(r)
	return r, nil
}

func rates(r Summary) Rates {
	share := func(n, of int64) float64 {
		if of <= 0 {
			return 0
		}
		return float64(n) / float64(of)
	}
	engaged := func(e Engagement) int64 {
		if e.Unique > 0 {
			return e.Unique
		}
		return e.People
	}
	attempted := int64(r.Sent + r.Failed + r.Unknown)
	sent, delivered := int64(r.Sent), int64(r.Delivered)
	return Rates{Delivery: share(delivered, attempted), Failure: share(int64(r.Failed), attempted),
		Bounce: share(r.Bounced, sent), Complaint: share(r.Complained, sent), Unsubscribe: share(r.Unsubscribed, sent),
		Open: min(1, share(engaged(r.Opened), delivered)), Click: min(1, share(engaged(r.Clicked), delivered))}
}

// Domains is the report per receiving domain.
func (s *Service) Domains(ctx context.Context, ws, id int64) ([]Domain, error) {
	if _, err := s.st.Campaign(ctx, ws, id); err != nil {
		return nil, err
	}
	return s.st.ReportDomains(ctx, ws, id)
}

// Hours is the report per hour.
func (s *Service) Hours(ctx context.Context, ws, id int64) ([]Hour, error) {
	if _, err := s.st.Campaign(ctx, ws, id); err != nil {
		return nil, err
	}
	return s.st.ReportHours(ctx, ws, id)
}

// Members is a page of a bucket and the After of the next page (0 when this is the last).
// Opened and clicked are ErrAggregateOnly in a workspace without individual tracking.
func (s *Service) Members(ctx context.Context, ws, id int64, p Page) ([]Member, int64, error) {
	if _, err := ParseBucket(string(p.Bucket)); err != nil {
		return nil, 0, err
	}
	if p.Limit <= 0 {
		p.Limit = 1000
	}
	if p.Limit > 10000 {
		p.Limit = 10000
	}
	if _, err := s.st.Campaign(ctx, ws, id); err != nil {
		return nil, 0, err
	}
	if p.Bucket.Tracking() {
		ind, err := s.Individual(ctx, ws)
		if err != nil {
			return nil, 0, err
		}
		if !ind {
			return nil, 0, ErrAggregateOnly
		}
	}
	ms, err := s.st.ReportMembers(ctx, ws, id, p)
	if err != nil {
		return nil, 0, fmt.Errorf("list %s of campaign %d: %w", p.Bucket, id, err)
	}
	var next int64
	if len(ms) == p.Limit {
		next = ms[len(ms)-1].ContactID
	}
	return ms, next, nil
}

// Each calls fn for every member of a bucket, a page at a time (an export of any size in
// bounded memory).
func (s *Service) Each(ctx context.Context, ws, id int64, b Bucket, fn func(Member) error) error {
	p := Page{Bucket: b, Limit: 5000}
	for {
		ms, next, err := s.Members(ctx, ws, id, p)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := fn(m); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		p.After = next
	}
}

// Variants is an A/B test's figures per variant (A first), each with the test's metric;
// a variant nobody has got yet is listed with zeros.
func (s *Service) Variants(ctx context.Context, c campaign.Campaign) ([]campaign.VariantFigures, error) {
	got, err := s.st.VariantFigures(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return nil, fmt.Errorf("count the variants of campaign %d: %w", c.ID, err)
	}
	out := make([]campaign.VariantFigures, len(c.AB.Variants)+1)
	for i := range out {
		out[i].Variant = campaign.VariantName(i + 1)
		for _, f := range got {
			if f.Variant == out[i].Variant {
				out[i] = f
			}
		}
		out[i].Value = campaign.MetricValue(c.AB.Metric, out[i])
	}
	return out, nil
}

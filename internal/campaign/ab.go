package campaign

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
)

// Metric is what decides an A/B test.
type Metric string

// The metrics an A/B test is decided by. Opens leave out the fetches flagged as a
// machine's (privacy proxies, scanners) but remain weak: Apple Mail Privacy Protection
// fetches every image of many recipients through a proxy a person's open cannot be told
// from, so prefer clicks.
const (
	// MetricOpens is opens by people (machine opens left out) per message sent.
	MetricOpens Metric = "opens"
	// MetricClicks is unique clickers (machines left out) per message sent; without
	// individual tracking the events name nobody, so every click by a person counts.
	MetricClicks Metric = "clicks"
	// MetricClickRate is clicks by people per message delivered.
	MetricClickRate Metric = "clicks-per-delivered"
)

// Variant is one message of an A/B test besides A (the campaign's own): another subject, or
// a whole message from a saved template. The start fixes its parts in Content.
type Variant struct {
	Subject    string   `json:"subject,omitempty"`
	TemplateID int64    `json:"template_id,omitempty"`
	Content    *Content `json:"content,omitempty"`
}

// ABTest is a campaign's A/B test: a random (reproducible) sample of the screened audience,
// SamplePercent of it, is split evenly among A and the Variants; the rest waits (held) until
// the test is decided Wait after the sample has gone out, by Metric, and then gets the winner.
type ABTest struct {
	Variants      []Variant `json:"variants"`
	SamplePercent int       `json:"sample_percent"`
	Metric        Metric    `json:"metric"`
	Wait          string    `json:"wait"` // a Go duration, e.g. "4h0m0s"
}

// WaitDuration is the test's wait.
func (t ABTest) WaitDuration() time.Duration {
	d, _ := time.ParseDuration(t.Wait)
	return d
}

// VariantFigures are one variant's results.
type VariantFigures struct {
	Variant      string  `json:"variant"` // A, B, C, D
	Recipients   int     `json:"recipients"`
	Sent         int     `json:"sent"`
	Delivered    int     `json:"delivered"`
	Opens        int     `json:"opens"` // by people (machine opens left out)
	MachineOpens int     `json:"machine_opens"`
	Clicks       int     `json:"clicks"`        // by people
	UniqueClicks int     `json:"unique_clicks"` // distinct clickers (every click when aggregate only)
	Value        float64 `json:"value"`         // the metric
}

// ABDecision is a recorded decision of an A/B test.
type ABDecision struct {
	Winner    string           `json:"winner"`
	Metric    Metric           `json:"metric"`
	Reason    string           `json:"reason"`
	Figures   []VariantFigures `json:"figures"`
	DecidedBy string           `json:"decided_by"`
	DecidedAt time.Time        `json:"decided_at"`
	Released  int              `json:"released"` // held recipients queued with the winner
}

// Held is a delivery of an A/B test's rest, waiting for the decision: never claimed.
const Held DeliveryState = "held"

// maxVariants is A and at most three others.
const maxVariants = 4

// VariantName is the letter of variant number n (1 = A).
func VariantName(n int) string {
	if n < 1 || n > 26 {
		return ""
	}
	return string(rune('A' + n - 1))
}

// VariantNumber is the number of a variant letter (A = 1); 0 when it is none.
func VariantNumber(name string) int {
	name = strings.ToUpper(strings.TrimSpace(name))
	if len(name) != 1 || name[0] < 'A' || name[0] > 'Z' {
		return 0
	}
	return int(name[0]-'A') + 1
}

// normalizeAB checks an A/B test and fills its defaults (a 20% sample, clicks, 4 hours).
func (s *Service) normalizeAB(ctx context.Context, c *Campaign) error {
	t := c.AB
	if t == nil {
		return nil
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: A/B test: "+format, append([]any{ErrInvalid}, args...)...)
	}
	if n := len(t.Variants); n < 1 || n > maxVariants-1 {
		return bad("give 1 to 3 variants besides A, the campaign's own message (%d given)", n)
	}
	for i := range t.Variants {
		v := &t.Variants[i]
		v.Subject = strings.TrimSpace(v.Subject)
		switch {
		case v.Subject == "" && v.TemplateID == 0 && v.Content == nil:
			return bad("variant %s: give a subject or a template", VariantName(i+2))
		case strings.ContainsAny(v.Subject, "\r\n"):
			return bad("variant %s: the subject must be one line", VariantName(i+2))
		case v.TemplateID != 0:
			if _, err := s.st.Template(ctx, c.WorkspaceID, v.TemplateID); err != nil {
				return fmt.Errorf("A/B variant %s: template %d: %w", VariantName(i+2), v.TemplateID, err)
			}
		}
	}
	if t.SamplePercent == 0 {
		t.SamplePercent = 20
	}
	if t.SamplePercent < 1 || t.SamplePercent > 100 {
		return bad("the sample is a share of the audience, 1 to 100 percent; not %d", t.SamplePercent)
	}
	switch t.Metric {
	case "":
		t.Metric = MetricClicks
	case MetricOpens, MetricClicks, MetricClickRate:
	default:
		return bad("metric %q: use opens, clicks or clicks-per-delivered", t.Metric)
	}
	if t.Wait == "" {
		t.Wait = "4h"
	}
	d, err := time.ParseDuration(t.Wait)
	if err != nil || d < 0 || d > 30*24*time.Hour {
		return bad("wait %q: give a duration such as 4h or 90m, at most 720h", t.Wait)
	}
	t.Wait = d.String()
	return nil
}

// fixVariants fills each variant's Content from what it names (its template's parts, or A's
// message with its own subject), so that the messages stay as they were at the start.
func (s *Service) fixVariants(ctx context.Context, c Campaign) (*ABTest, error) {
	t := *c.AB
	t.Variants = slices.Clone(t.Variants)
	for i := range t.Variants {
		v := &t.Variants[i]
		if v.Content != nil {
			continue
		}
		content := c.Content
		if v.TemplateID != 0 {
			tp, err := s.st.Template(ctx, c.WorkspaceID, v.TemplateID)
			if err != nil {
				return nil, fmt.Errorf("campaign %q: A/B variant %s: %w", c.Name, VariantName(i+2), err)
			}
			content = tp.Content
			if content.Subject == "" {
				content.Subject = c.Subject
			}
		}
		if v.Subject != "" {
			content.Subject = v.Subject
		}
		v.Content = &content
	}
	return &t, nil
}

// withVariant is the campaign as variant n's recipients get it (1 or 0: A, its own message).
func withVariant(c Campaign, n int) Campaign {
	if c.AB == nil || n < 2 || n-2 >= len(c.AB.Variants) || c.AB.Variants[n-2].Content == nil {
		return c
	}
	c.Content = *c.AB.Variants[n-2].Content
	return c
}

// splitSample picks the test's sample from the queued recipients at random, reproducibly
// (seeded by workspace and campaign: the same audience gives the same sample), and deals it
// out evenly among the variants; it returns the contacts of each variant number (1 = A).
func splitSample(c Campaign, queued []int64) map[int][]int64 {
	ids := slices.Clone(queued)
	slices.Sort(ids)
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(c.WorkspaceID))
	binary.LittleEndian.PutUint64(b[8:], uint64(c.ID))
	h.Write(b[:])
	seed := h.Sum64()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	variants := len(c.AB.Variants) + 1
	n := (len(ids)*c.AB.SamplePercent + 99) / 100
	n = min(max(n, variants), len(ids))
	out := map[int][]int64{}
	for i, id := range ids[:n] {
		v := i%variants + 1
		out[v] = append(out[v], id)
	}
	return out
}

// sampleDone is called by an idle worker of an A/B campaign: when nothing of the sample is
// queued or in flight and recipients are held, the decision job is queued for Wait from now
// (unique per campaign: every worker may ask, one job is made).
func (s *Service) sampleDone(ctx context.Context, c Campaign) error {
	if c.AB == nil || c.ABDecision != nil {
		return nil
	}
	q, ok := s.queue.(ABQueue)
	if !ok {
		return nil
	}
	counts, err := s.st.DeliveryCounts(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return err
	}
	if counts.ByState[Held] == 0 || counts.ByState[Queued]+counts.ByState[Claimed]+counts.ByState[InFlight] > 0 {
		return nil
	}
	return q.EnqueueABDecide(ctx, c.WorkspaceID, c.ID, s.now().UTC().Add(c.AB.WaitDuration()))
}

// ABQueue enqueues an A/B test's decision job (the job queue implements it beside Queue).
type ABQueue interface {
	EnqueueABDecide(ctx context.Context, ws, id int64, at time.Time) error
}

// DecideAB is the decision job's work: it reads each variant's figures, picks the winner by
// the test's metric (a tie goes to A, saying so), records the decision with its audit entry
// and queues the held recipients with the winner, in one transaction; then the workers of a
// sending campaign are queued. A campaign already decided (picked early), cancelled or
// without a test is left as it is: the job does its work once.
func (s *Service) DecideAB(ctx context.Context, ws, id int64) (*ABDecision, error) {
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	if c.AB == nil || c.ABDecision != nil || (c.State != Sending && c.State != Paused) {
		return c.ABDecision, nil
	}
	figs, err := s.figures(ctx, c)
	if err != nil {
		return nil, err
	}
	d := decide(c.AB.Metric, figs)
	d.DecidedBy = "system:campaign_ab_decide"
	return s.recordDecision(ctx, c, d)
}

// PickAB decides a campaign's A/B test by a person's choice, before (or instead of) the
// decision job: the held recipients get variant name (A, B, …). The figures so far are kept
// with the decision.
func (s *Service) PickAB(ctx context.Context, ws, id int64, name string) (*ABDecision, error) {
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	if c.AB == nil {
		return nil, fmt.Errorf("%w: campaign %q has no A/B test", ErrInvalid, c.Name)
	}
	n := VariantNumber(name)
	if n < 1 || n > len(c.AB.Variants)+1 {
		return nil, fmt.Errorf("%w: campaign %q has variants A to %s; not %q", ErrInvalid, c.Name,
			VariantName(len(c.AB.Variants)+1), name)
	}
	if c.ABDecision != nil {
		return nil, fmt.Errorf("campaign %q: its A/B test was decided already (variant %s): %w", c.Name, c.ABDecision.Winner, ErrState)
	}
	if c.State != Sending && c.State != Paused {
		return nil, fmt.Errorf("campaign %q is %s: an A/B test is picked while the campaign is sending or paused: %w",
			c.Name, c.State, ErrState)
	}
	figs, err := s.figures(ctx, c)
	if err != nil {
		return nil, err
	}
	d := ABDecision{Winner: VariantName(n), Metric: c.AB.Metric, Figures: figs,
		Reason: "picked by hand before the test's wait ended"}
	a := audit.ActorFrom(ctx)
	d.DecidedBy = strings.Trim(string(a.Kind)+":"+cmpOr(a.Name, a.ID), ":")
	return s.recordDecision(ctx, c, d)
}

func (s *Service) figures(ctx context.Context, c Campaign) ([]VariantFigures, error) {
	got, err := s.st.VariantFigures(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return nil, err
	}
	out := make([]VariantFigures, len(c.AB.Variants)+1)
	for i := range out {
		out[i].Variant = VariantName(i + 1)
		for _, f := range got {
			if f.Variant == out[i].Variant {
				out[i] = f
			}
		}
		out[i].Value = MetricValue(c.AB.Metric, out[i])
	}
	return out, nil
}

func (s *Service) recordDecision(ctx context.Context, c Campaign, d ABDecision) (*ABDecision, error) {
	d.DecidedAt = s.now().UTC()
	n, err := s.st.DecideAB(ctx, c.WorkspaceID, c.ID, VariantNumber(d.Winner), d)
	if err != nil {
		return nil, err
	}
	d.Released = n
	if c.State == Sending {
		if err := s.enqueue(ctx, c, d.DecidedAt); err != nil {
			return &d, err
		}
	}
	return &d, nil
}

// numDen is a variant's metric as a fraction, compared exactly.
func numDen(m Metric, f VariantFigures) (num, den int) {
	switch m {
	case MetricOpens:
		return f.Opens, f.Sent
	case MetricClickRate:
		return f.Clicks, f.Delivered
	default:
		return f.UniqueClicks, f.Sent
	}
}

// MetricValue is a variant's figure by the metric (0 when nothing was sent).
func MetricValue(m Metric, f VariantFigures) float64 {
	n, d := numDen(m, f)
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// decide picks the variant with the highest metric. A tie for the top, and nothing measured
// at all, go to A (the campaign's own message), and the reason says so.
func decide(m Metric, figs []VariantFigures) ABDecision {
	d := ABDecision{Metric: m, Figures: figs, Winner: "A"}
	// cmpFig compares a/b fractions without division (an empty variant counts as 0).
	cmpFig := func(a, b VariantFigures) int {
		an, ad := numDen(m, a)
		bn, bd := numDen(m, b)
		if ad == 0 {
			an, ad = 0, 1
		}
		if bd == 0 {
			bn, bd = 0, 1
		}
		l, r := an*bd, bn*ad
		switch {
		case l > r:
			return 1
		case l < r:
			return -1
		}
		return 0
	}
	best := 0
	for i := 1; i < len(figs); i++ {
		if cmpFig(figs[i], figs[best]) > 0 {
			best = i
		}
	}
	top := 0
	for i := range figs {
		if cmpFig(figs[i], figs[best]) == 0 {
			top++
		}
	}
	n, _ := numDen(m, figs[best])
	switch {
	case n == 0:
		d.Reason = fmt.Sprintf("no variant has any %s measured: a tie, so variant A (the campaign's own message) is sent", m)
	case top > 1:
		d.Reason = fmt.Sprintf("%d variants tie for the highest %s (%.4f): a tie goes to variant A (the campaign's own message)",
			top, m, MetricValue(m, figs[best]))
	default:
		d.Winner = VariantName(best + 1)
		d.Reason = fmt.Sprintf("variant %s has the highest %s (%.4f)", d.Winner, m, MetricValue(m, figs[best]))
	}
	return d
}

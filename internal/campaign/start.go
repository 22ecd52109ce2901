package campaign

import (
	"context"
	"fmt"
	"net/mail"
	"time"

	"github.com/clearlist/clearlist/internal/campaign/preflight"
	"github.com/clearlist/clearlist/internal/policy"
)

// Audience is the campaign's audience after screening: how many may be mailed and, for the
// others, how many per reason (the deciding rule and its text).
type Audience struct {
	Eligible int            `json:"eligible"`
	Excluded map[string]int `json:"excluded"`
	// Sender is the sender-authentication report (SPF, DKIM, DMARC, alignment, PTR, TLS);
	// NotReady says what the compliance footer lacks. Preflight fills both.
	Sender   *preflight.Report `json:"sender,omitempty"`
	NotReady string            `json:"not_ready,omitempty"`
}

// audience evaluates every contact of the campaign's lists once (a contact on two lists is
// one recipient) for its purpose and channel and calls fn with each, eligible first in
// contact id order per list.
func (s *Service) audience(ctx context.Context, c Campaign, fn func(Snapshot) error) error {
	seen := make(map[int64]struct{})
	prov := map[int64]string{}
	for _, list := range c.Lists {
		err := s.elig.Batch(ctx, c.WorkspaceID, c.Purpose, c.Channel, list, func(id int64, v *policy.Verdict) error {
			if _, dup := seen[id]; dup {
				return nil
			}
			seen[id] = struct{}{}
			if v.Allowed {
				r := Snapshot{ContactID: id, State: Queued, Basis: v.Basis.String()}
				if v.RequiresNotice {
					var err error
					if r.Provenance, err = s.provenance(ctx, c.WorkspaceID, id, prov); err != nil {
						return err
					}
				}
				return fn(r)
			}
			return fn(Snapshot{ContactID: id, State: Excluded, Reason: exclusionReason(v)})
		})
		if err != nil {
			return fmt.Errorf("screen list %d: %w", list, err)
		}
	}
	return nil
}

// exclusionReason names why a verdict refuses: its deciding (last) reason's rule and text.
func exclusionReason(v *policy.Verdict) string {
	if len(v.Reasons) == 0 {
		return "not eligible"
	}
	r := v.Reasons[len(v.Reasons)-1]
	return r.RuleID + ": " + r.Text
}

// Preflight screens the campaign's audience as a start would and counts it, writing nothing.
func (s *Service) Preflight(ctx context.Context, ws, id int64) (Audience, error) {
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return Audience{}, err
	}
	a := Audience{Excluded: map[string]int{}}
	err = s.audience(ctx, c, func(r Snapshot) error {
		if r.State == Queued {
			a.Eligible++
		} else {
			a.Excluded[r.Reason]++
		}
		return nil
	})
	if err != nil || s.gates == nil {
		return a, err
	}
	if err := s.gates.Ready(ctx, c); err != nil {
		a.NotReady = err.Error()
	}
	rep, err := s.gates.SenderCheck(ctx, c)
	a.Sender = &rep
	return a, err
}

// Start screens the audience, writes the send log (eligible recipients queued, the others
// excluded with their reason, in transactions of Options.SnapshotRows rows), moves the
// campaign to sending and enqueues its workers. An audience nobody of which may be mailed
// is refused (ErrEmptyAudience) and the campaign stays as it was.
func (s *Service) Start(ctx context.Context, ws, id int64) (Audience, error) {
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return Audience{}, err
	}
	if !Allowed(c.State, Sending) || c.State == Paused {
		if c.State == Paused {
			return Audience{}, fmt.Errorf("campaign %q is paused: resume it rather than start it: %w", c.Name, ErrState)
		}
		return Audience{}, stateError(c, Sending)
	}
	rep, err := s.gate(ctx, c)
	if err != nil {
		return Audience{Sender: rep}, err
	}
	var ab *ABTest
	if c.AB != nil {
		fixed, err := s.withContent(ctx, c)
		if err != nil {
			return Audience{}, err
		}
		if ab, err = s.fixVariants(ctx, fixed); err != nil {
			return Audience{}, err
		}
		c.AB = ab
	}
	if err := s.trialRender(ctx, c); err != nil {
		return Audience{}, err
	}
	var queued []int64
	if ab != nil {
		queued = []int64{}
	}
	a, err := s.snapshot(ctx, c, &queued)
	a.Sender = rep
	if err != nil {
		return a, err
	}
	if a.Eligible == 0 {
		return a, fmt.Errorf("campaign %q: nobody on its lists may be mailed for %q (%d excluded; see campaign preflight): %w",
			c.Name, c.Purpose, total(a.Excluded), ErrEmptyAudience)
	}
	counts := map[string]int{"queued": a.Eligible, "excluded": total(a.Excluded)}
	now := s.now().UTC()
	if c.LocalTime != "" {
		if err := s.placeLocal(ctx, c, now); err != nil {
			return a, err
		}
	}
	// After the local times are placed, so that the held rest keeps its recipients' times.
	if ab != nil {
		sample := splitSample(c, queued)
		if err := s.st.SplitAB(ctx, ws, id, sample, now); err != nil {
			return a, fmt.Errorf("campaign %q: split the A/B sample: %w", c.Name, err)
		}
		n := 0
		for v, ids := range sample {
			counts["variant_"+VariantName(v)] = len(ids)
			n += len(ids)
		}
		counts["held"] = a.Eligible - n
	}
	t := Transition{WorkspaceID: ws, ID: id, From: []State{Draft, Scheduled}, To: Sending, Action: "start", Counts: counts, At: now, AB: ab}
	if c.TemplateID != 0 {
		fixed, err := s.withContent(ctx, c)
		if err != nil {
			return a, err
		}
		t.Content = &fixed.Content
	}
	if err := s.st.TransitionCampaign(ctx, t); err != nil {
		return a, err
	}
	return a, s.enqueue(ctx, c, now)
}

// snapshot writes the screened audience; when queued is not nil the queued contacts are
// collected in it (an A/B test's sample is drawn from them).
func (s *Service) snapshot(ctx context.Context, c Campaign, queued *[]int64) (Audience, error) {
	a := Audience{Excluded: map[string]int{}}
	batch := make([]Snapshot, 0, s.opts.SnapshotRows)
	first := true
	flush := func() error {
		if len(batch) == 0 && !first {
			return nil
		}
		err := s.st.WriteDeliveries(ctx, c.WorkspaceID, c.ID, first, batch, s.now().UTC())
		first, batch = false, batch[:0]
		return err
	}
	err := s.audience(ctx, c, func(r Snapshot) error {
		if r.State == Queued {
			a.Eligible++
			if queued != nil && *queued != nil {
				*queued = append(*queued, r.ContactID)
			}
		} else {
			a.Excluded[r.Reason]++
		}
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return a, fmt.Errorf("campaign %q: write the audience: %w", c.Name, err)
	}
	return a, nil
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func (s *Service) enqueue(ctx context.Context, c Campaign, at time.Time) error {
	if s.queue == nil {
		return nil // the send jobs are run by hand (tests, or a CLI without a queue)
	}
	for slot := range max(c.Workers, 1) {
		if err := s.queue.EnqueueCampaignSend(ctx, c.WorkspaceID, c.ID, slot, at); err != nil {
			return fmt.Errorf("campaign %q: queue its send jobs (resume it to try again): %w", c.Name, err)
		}
	}
	return nil
}

// Schedule sets the time a draft campaign starts by itself; one job waits for it.
func (s *Service) Schedule(ctx context.Context, ws, id int64, at time.Time) error {
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return err
	}
	if !Allowed(c.State, Scheduled) {
		return stateError(c, Scheduled)
	}
	at = at.UTC()
	if err := s.st.TransitionCampaign(ctx, Transition{WorkspaceID: ws, ID: id, From: []State{Draft}, To: Scheduled,
		Action: "schedule", ScheduledAt: &at, At: s.now().UTC()}); err != nil {
		return err
	}
	if s.queue == nil {
		return nil
	}
	return s.queue.EnqueueCampaignSend(ctx, ws, id, 0, at)
}

func variantsOf(c Campaign) int {
	if c.AB == nil {
		return 0
	}
	return len(c.AB.Variants)
}

// Pause stops a sending campaign: its workers finish the messages in hand and stop claiming.
func (s *Service) Pause(ctx context.Context, ws, id int64, reason string) error {
	return s.move(ctx, ws, id, Paused, "pause", reason)
}

// Resume sends a paused campaign again from where it stopped.
func (s *Service) Resume(ctx context.Context, ws, id int64) error {
	if err := s.move(ctx, ws, id, Sending, "resume", ""); err != nil {
		return err
	}
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, c, s.now().UTC())
}

// Cancel ends a campaign for good; queued recipients are not mailed.
func (s *Service) Cancel(ctx context.Context, ws, id int64) error {
	return s.move(ctx, ws, id, Cancelled, "cancel", "")
}

func (s *Service) move(ctx context.Context, ws, id int64, to State, action, reason string) error {
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return err
	}
	if !Allowed(c.State, to) {
		return stateError(c, to)
	}
	if to == Sending && c.State != Paused || c.State == Finished {
		return stateError(c, to) // a start screens the audience: Start, not Resume
	}
	return s.st.TransitionCampaign(ctx, Transition{WorkspaceID: ws, ID: id, From: []State{c.State}, To: to,
		Action: action, Reason: reason, At: s.now().UTC()})
}

// Retry queues again the recipients whose delivery ended in state from: Failed (a failure
// that may have passed) or Unknown (in flight at a crash: the person may get the message
// twice, so this is a decision someone takes, recorded in the audit trail). A finished
// campaign is sent again; a paused one is resumed by Resume.
func (s *Service) Retry(ctx context.Context, ws, id int64, from DeliveryState) (int, error) {
	if from != Failed && from != Unknown {
		return 0, fmt.Errorf("%w: only failed or unknown deliveries can be retried", ErrInvalid)
	}
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return 0, err
	}
	if c.State == Cancelled || c.State == Draft || c.State == Scheduled {
		return 0, stateError(c, Sending)
	}
	n, err := s.st.RequeueDeliveries(ctx, ws, id, from, s.now().UTC())
	if err != nil || n == 0 {
		return n, err
	}
	if c.State == Finished {
		if err := s.st.TransitionCampaign(ctx, Transition{WorkspaceID: ws, ID: id, From: []State{Finished}, To: Sending,
			Action: "retry", Counts: map[string]int{"requeued": n}, At: s.now().UTC()}); err != nil {
			return n, err
		}
		c.State = Sending
	}
	if c.State == Sending {
		return n, s.enqueue(ctx, c, s.now().UTC())
	}
	return n, nil
}

// Report counts the campaign's deliveries.
func (s *Service) Report(ctx context.Context, ws, id int64) (Counts, error) {
	if _, err := s.st.Campaign(ctx, ws, id); err != nil {
		return Counts{}, err
	}
	return s.st.DeliveryCounts(ctx, ws, id)
}

// Deliveries lists rows of the campaign's send log.
func (s *Service) Deliveries(ctx context.Context, ws, id int64, f DeliveryFilter) ([]Delivery, error) {
	if _, err := s.st.Campaign(ctx, ws, id); err != nil {
		return nil, err
	}
	return s.st.CampaignDeliveries(ctx, ws, id, f)
}

// trialRender renders the message once for a recipient without attributes, so that a
// template that cannot render is refused before anyone is queued rather than failing every
// recipient.
func (s *Service) trialRender(ctx context.Context, c Campaign) error {
	c, err := s.withContent(ctx, c)
	if err != nil {
		return err
	}
	for v := 1; v <= 1+variantsOf(c); v++ {
		r := Recipient{Address: c.FromAddress, Canonical: c.FromAddress, Attrs: []byte("{}")}
		if c.AB != nil {
			r.Variant = v
		}
		m, err := s.render.Render(ctx, withVariant(c, v), r)
		if err == nil {
			err = m.Validate()
		}
		if err != nil {
			what := "its message"
			if v > 1 {
				what = "its A/B variant " + VariantName(v)
			}
			return fmt.Errorf("%w: campaign %q: %s does not render: %v", ErrInvalid, c.Name, what, err)
		}
	}
	return nil
}

// EnsureWorkers enqueues the send jobs of every sending campaign that has none (queued
// reports whether it has): a server stopped between a start and its enqueue, or jobs lost
// with a database restored. A starting server calls it after taking up the jobs of the dead.
func (s *Service) EnsureWorkers(ctx context.Context, queued func(ws, id int64) bool) (int, error) {
	cs, err := s.st.SendingCampaigns(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cs {
		if queued(c.WorkspaceID, c.ID) {
			continue
		}
		if err := s.enqueue(ctx, c, s.now().UTC()); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// TestSend sends the campaign's message once to an address, as a recipient without
// attributes would get it, with "[test]" before the subject. It writes nothing: a test
// message is no delivery of the campaign.
func (s *Service) TestSend(ctx context.Context, ws, id int64, to string) error {
	a, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("%w: test address %q: %v", ErrInvalid, to, err)
	}
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return err
	}
	if c, err = s.withContent(ctx, c); err != nil {
		return err
	}
	m, err := s.render.Render(ctx, c, Recipient{Address: a.Address, Canonical: a.Address, Attrs: []byte("{}")})
	if err != nil {
		return fmt.Errorf("%w: campaign %q: its message does not render: %v", ErrInvalid, c.Name, err)
	}
	m.Subject = "[test] " + m.Subject
	if err := s.send.Send(ctx, m); err != nil {
		return fmt.Errorf("test message to %s: %w", a.Address, err)
	}
	return nil
}

package campaign

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/suppress"
)

// SendResult says what a send worker should do after Send returns.
type SendResult struct {
	// RetryAt, when not zero, is when the campaign has work again (a scheduled start, or
	// recipients waiting for their next attempt): the worker runs again then.
	RetryAt time.Time
	Sent    int // messages handed to the transport by this run
}

// worker is one run of a send job: the campaign as it started, the process claim its rows
// are taken under, and the outcomes waiting to be recorded.
type worker struct {
	s     *Service
	c     Campaign
	claim string
	// screen is the do-not-contact list as the last claim found it (the senders read it).
	screen atomic.Pointer[suppress.Screen]
	// next feeds the senders, which live as long as the run: a round's tail is still being
	// sent while the next round claims (see startSenders).
	next     chan Recipient
	senders  sync.WaitGroup
	stopTick chan struct{}
	ticked   chan struct{}
	// marketing: an unsubscribe refuses this campaign's purpose (a service message goes on).
	marketing bool
	mu        sync.Mutex // guards outs and lastFlush
	flushing  sync.Mutex // one flush at a time; sent and guard are the flush's
	outs      []Outcome
	lastFlush time.Time
	sent      int
	guard     guardState
	group     int // rows marked in flight at once (see feed), kept from round to round
}

// Send works the campaign's queue until it is empty, the campaign leaves the sending state
// (paused, cancelled) or ctx ends: claim a batch (taking its tokens from the shared bucket
// first), screen each recipient again, render, send, and record each outcome. claim names
// this process (its store.ClaimProcess name): rows it leaves in sending when it dies become
// unknown. A scheduled campaign whose time has come is started first.
func (s *Service) Send(ctx context.Context, ws, id int64, claim string) (SendResult, error) {
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return SendResult{}, err
	}
	if c.State == Scheduled {
		if c.ScheduledAt != nil && c.ScheduledAt.After(s.now()) {
			return SendResult{RetryAt: *c.ScheduledAt}, nil
		}
		if _, err := s.Start(ctx, ws, id); err != nil {
			return SendResult{}, err
		}
		return SendResult{}, nil // Start enqueued the workers
	}
	if c.State != Sending {
		return SendResult{}, nil // paused, cancelled or finished: nothing to do
	}
	if c, err = s.withContent(ctx, c); err != nil {
		return SendResult{}, err
	}
	w := &worker{s: s, c: c, claim: claim, lastFlush: s.now()}
	if w.marketing, err = s.isMarketing(ctx, ws, c.Purpose); err != nil {
		return SendResult{}, err
	}
	if err := s.sweep(ctx, ws, id, claim); err != nil {
		return SendResult{}, err
	}
	res, err := w.run(ctx)
	// The outcomes of the last round ride with no further claim: record them now (if that
	// fails their rows stay in sending, and become unknown once this process is gone).
	if ferr := w.flush(context.WithoutCancel(ctx)); ferr != nil && err == nil {
		err = ferr
	}
	res.Sent = w.sent
	return res, err
}

// run works the campaign's rounds until nothing is claimable, the campaign leaves the
// sending state or ctx ends.
func (w *worker) run(ctx context.Context) (SendResult, error) {
	w.startSenders(ctx)
	defer w.stopSenders()
	s, ws, id := w.s, w.c.WorkspaceID, w.c.ID
	for ctx.Err() == nil {
		cur, err := s.st.CampaignState(ctx, ws, id)
		if err != nil {
			return SendResult{Sent: w.sent}, err
		}
		if cur != Sending {
			return SendResult{Sent: w.sent}, nil
		}
		more, err := w.round(ctx)
		if err != nil {
			return SendResult{Sent: w.sent}, err
		}
		if !more {
			w.stopSenders() // their outcomes first: idle may finish the campaign
			return w.idle(ctx)
		}
	}
	return SendResult{}, ctx.Err()
}

// idle is a worker's end when nothing is claimable now: the campaign is finished when nothing
// is queued or in flight; otherwise the worker comes back at the next due attempt (rows other
// live workers hold are theirs to finish).
func (w *worker) idle(ctx context.Context) (SendResult, error) {
	s, ws, id := w.s, w.c.WorkspaceID, w.c.ID
	if err := w.flush(context.WithoutCancel(ctx)); err != nil {
		return SendResult{Sent: w.sent}, err
	}
	if err := s.sweep(ctx, ws, id, w.claim); err != nil {
		return SendResult{Sent: w.sent}, err
	}
	done, err := s.st.FinishCampaign(ctx, ws, id, s.now().UTC())
	if err != nil {
		return SendResult{Sent: w.sent}, err
	}
	if !done {
		if err := s.sampleDone(ctx, w.c); err != nil {
			return SendResult{Sent: w.sent}, err
		}
	}
	next, ok, err := s.st.NextAttempt(ctx, ws, id)
	if err != nil || !ok {
		return SendResult{Sent: w.sent}, err
	}
	return SendResult{Sent: w.sent, RetryAt: next}, nil
}

// sweep turns the rows in sending of every claim but this process's whose process is gone
// into unknown: they were in flight when it died.
func (s *Service) sweep(ctx context.Context, ws, id int64, claim string) error {
	claims, err := s.st.SendingClaims(ctx, ws, id)
	if err != nil {
		return err
	}
	var dead []string
	for _, cl := range claims {
		if cl == claim {
			continue
		}
		alive, err := s.st.ProcessAlive(ctx, cl)
		if err != nil {
			return err
		}
		if !alive {
			dead = append(dead, cl)
		}
	}
	if len(dead) == 0 {
		return nil
	}
	n, err := s.st.MarkUnknown(ctx, ws, id, dead, s.now().UTC())
	if n > 0 {
		slog.WarnContext(ctx, "campaign deliveries in flight at a crash marked unknown (never resent on their own)",
			"workspace_id", ws, "campaign", id, "count", n)
	}
	return err
}

// withContent fills the campaign's message from its saved template, for the parts the
// campaign does not give itself.
func (s *Service) withContent(ctx context.Context, c Campaign) (Campaign, error) {
	if c.TemplateID == 0 {
		return c, nil
	}
	t, err := s.st.Template(ctx, c.WorkspaceID, c.TemplateID)
	if err != nil {
		return c, fmt.Errorf("campaign %q: its template: %w", c.Name, err)
	}
	fill := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	fill(&c.Subject, t.Subject)
	fill(&c.Preheader, t.Preheader)
	fill(&c.HTML, t.HTML)
	fill(&c.Text, t.Text)
	fill(&c.Markdown, t.Markdown)
	if t.UpdatedAt.After(c.UpdatedAt) {
		c.UpdatedAt = t.UpdatedAt // a new version for the renderers' caches
	}
	return c, nil
}

func (s *Service) isMarketing(ctx context.Context, ws int64, purpose string) (bool, error) {
	ps, err := s.st.Purposes(ctx, ws)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if p.Name == purpose {
			return p.Marketing, nil
		}
	}
	return true, nil // a purpose since removed: treat it as the stricter kind
}

// batchSize is the claim size: a second's tokens at most, so that a slow rate is sent
// evenly rather than in bursts of a whole batch.
func (w *worker) batchSize() int {
	n := w.s.opts.Batch
	if w.c.Rate > 0 {
		n = min(n, max(1, int(w.c.Rate)))
	}
	return n
}

// round claims and sends one batch; more is false when nothing was claimable.
func (w *worker) round(ctx context.Context) (more bool, err error) {
	s, ws, id := w.s, w.c.WorkspaceID, w.c.ID
	n := w.batchSize()
	if w.c.Rate > 0 {
		wait, err := s.st.TakeTokens(ctx, bucketKey(id), w.c.Rate, float64(n), n, s.now().UTC())
		if err != nil {
			return false, err
		}
		if wait > 0 { // a slow rate: the last round's outcomes are not to wait for the next claim
			if err := w.flush(context.WithoutCancel(ctx)); err != nil {
				return false, err
			}
		}
		if stay, err := w.wait(ctx, wait); err != nil || !stay {
			s.st.TakeTokens(context.WithoutCancel(ctx), bucketKey(id), w.c.Rate, float64(n), -n, s.now().UTC())
			return false, err
		}
	}
	first := min(max(w.group, s.opts.Concurrency, 1), n)
	rs, err := w.claimBatch(ctx, n, first)
	if err != nil {
		return false, err
	}
	if w.c.Rate > 0 && len(rs) < n {
		if _, err := s.st.TakeTokens(ctx, bucketKey(id), w.c.Rate, float64(n), len(rs)-n, s.now().UTC()); err != nil {
			return false, err
		}
	}
	if len(rs) == 0 {
		return false, nil
	}
	// The screen as the store has it now: an unsubscribe since the start stops this batch.
	screen, err := s.screens.Screen(ctx, ws, true)
	if err != nil {
		w.release(rs)
		return false, err
	}
	w.screen.Store(screen)
	w.feed(ctx, rs, min(first, len(rs)))
	// The senders finish the batch's tail while the next round claims; the outcomes are
	// recorded with that claim (or by the clock, or at the end).
	return true, w.checkGuard(ctx)
}

// claimBatch claims up to n deliveries, the first `first` of them straight into sending, and
// records the outcomes waiting, in one durable transaction (ClaimInFlight).
func (w *worker) claimBatch(ctx context.Context, n, first int) ([]Recipient, error) {
	w.flushing.Lock()
	defer w.flushing.Unlock()
	outs := w.takeOutcomes()
	rs, err := w.s.st.ClaimInFlight(ctx, w.c.WorkspaceID, w.c.ID, w.claim, outs, n, first, w.s.now().UTC())
	if err != nil {
		w.keepOutcomes(outs)
		return nil, err
	}
	w.recorded(outs)
	return rs, nil
}

// wait sleeps until the batch's tokens are due, looking every second whether the campaign
// is still sending (a pause takes effect within a second even at a slow rate); stay is false
// when it is not.
func (w *worker) wait(ctx context.Context, d time.Duration) (stay bool, err error) {
	for d > 0 {
		step := min(d, time.Second)
		if err := sleep(ctx, step); err != nil {
			return false, err
		}
		d -= step
		cur, err := w.s.st.CampaignState(ctx, w.c.WorkspaceID, w.c.ID)
		if err != nil {
			return false, err
		}
		if cur != Sending {
			return false, nil
		}
	}
	return true, nil
}

// startSenders starts the run's Options.Concurrency senders and the clock that records
// their outcomes every FlushAfter (slow answers must not keep finished outcomes unrecorded).
// The senders take rows from feed round after round, so a round's last messages are still
// being sent while the next round claims: the relays never wait on the claim.
func (w *worker) startSenders(ctx context.Context) {
	w.next, w.stopTick, w.ticked = make(chan Recipient), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(w.ticked)
		t := time.NewTicker(w.s.opts.FlushAfter)
		defer t.Stop()
		for {
			select {
			case <-w.stopTick:
				return
			case <-t.C:
				if err := w.flush(context.WithoutCancel(ctx)); err != nil {
					slog.ErrorContext(ctx, "record campaign outcomes", "campaign", w.c.ID, "err", err)
				}
			}
		}
	}()
	for range max(w.s.opts.Concurrency, 1) {
		w.senders.Add(1)
		go func() {
			defer w.senders.Done()
			for r := range w.next {
				w.add(ctx, w.one(ctx, r))
			}
		}()
	}
}

// stopSenders lets the senders finish the rows they hold and stops them and the clock; it
// may be called again.
func (w *worker) stopSenders() {
	if w.next == nil {
		return
	}
	close(w.next)
	w.senders.Wait()
	close(w.stopTick)
	<-w.ticked
	w.next = nil
}

// feed hands the claimed rows to the senders a group at a time: first the outcomes finished
// so far are recorded and the group is marked in flight (sending) in one durable
// transaction, then its rows go to the senders. A crash therefore leaves unknown only the
// rows of the group being handed over and those the senders hold; the rest of the claim is
// still claimed and goes back to the queue. A group is Options.Concurrency rows while the
// mark's commit is quicker than handing a group over; when the disk is slow (a commit
// outlasting the group) the groups double, up to the whole claimed batch, so that the
// senders do not wait on the disk — never more in flight than a claimed batch (the group
// and the c rows the senders hold).
func (w *worker) feed(ctx context.Context, rs []Recipient, marked int) {
	next := w.next
	c := max(w.s.opts.Concurrency, 1)
	g := max(w.group, c)
	for i, r := range rs[:marked] { // in flight since the claim
		if ctx.Err() != nil {
			w.release(rs[i:])
			return
		}
		next <- r
	}
	ids := make([]int64, 0, len(rs))
	for i := marked; i < len(rs); {
		grp := rs[i:min(i+g, len(rs))]
		if ctx.Err() != nil {
			w.release(rs[i:]) // never handed to the transport: back to the queue
			return
		}
		ids = ids[:0]
		for _, r := range grp {
			ids = append(ids, r.ContactID)
		}
		t0 := time.Now()
		if err := w.record(context.WithoutCancel(ctx), ids); err != nil {
			slog.ErrorContext(ctx, "mark campaign deliveries in flight", "campaign", w.c.ID, "err", err)
			w.release(rs[i:]) // still claimed: back to the queue, tried again by the next round
			return
		}
		t1 := time.Now()
		for _, r := range grp {
			next <- r
		}
		mark, hand := t1.Sub(t0), time.Since(t1)
		switch {
		case mark > hand:
			g = min(2*g, max(w.s.opts.Batch-c, c)) // with the senders' c: never more than a batch
		case 4*mark < hand:
			g = max(g/2, c)
		}
		i += len(grp)
	}
	w.group = g
}

func (w *worker) add(ctx context.Context, o Outcome) {
	w.mu.Lock()
	w.outs = append(w.outs, o)
	due := len(w.outs) >= w.s.opts.FlushEvery || w.s.now().Sub(w.lastFlush) >= w.s.opts.FlushAfter
	w.mu.Unlock()
	if due {
		if err := w.flush(context.WithoutCancel(ctx)); err != nil {
			slog.ErrorContext(ctx, "record campaign outcomes", "campaign", w.c.ID, "err", err)
		}
	}
}

// flush records the outcomes waiting. A failure keeps them for the next flush: their rows
// stay in sending meanwhile, and become unknown if this process dies first.
// The senders go on while one flush records (only flushes wait for each other).
func (w *worker) flush(ctx context.Context) error { return w.record(ctx, nil) }

// record is flush that also marks the claimed rows of inFlight as sending in the same
// transaction (MarkInFlight), when there are any.
func (w *worker) record(ctx context.Context, inFlight []int64) error {
	w.flushing.Lock()
	defer w.flushing.Unlock()
	outs := w.takeOutcomes()
	if len(outs) == 0 && len(inFlight) == 0 {
		return nil
	}
	var err error
	if len(inFlight) > 0 {
		_, err = w.s.st.MarkInFlight(ctx, w.c.WorkspaceID, w.c.ID, w.claim, outs, inFlight, w.s.now().UTC())
	} else {
		err = w.s.st.RecordOutcomes(ctx, w.c.WorkspaceID, w.c.ID, w.claim, outs)
	}
	if err != nil {
		w.keepOutcomes(outs)
		return fmt.Errorf("campaign %d: record %d outcomes: %w", w.c.ID, len(outs), err)
	}
	w.recorded(outs)
	return nil
}

// takeOutcomes takes the outcomes waiting to be recorded (the caller holds flushing).
func (w *worker) takeOutcomes() []Outcome {
	w.mu.Lock()
	defer w.mu.Unlock()
	outs := w.outs
	w.outs, w.lastFlush = nil, w.s.now()
	return outs
}

// keepOutcomes puts back outcomes whose recording failed, for the next one: their rows stay
// in sending meanwhile, and become unknown if this process dies first.
func (w *worker) keepOutcomes(outs []Outcome) {
	w.mu.Lock()
	w.outs = append(outs, w.outs...)
	w.mu.Unlock()
}

// recorded counts outcomes the store has taken (the caller holds flushing).
func (w *worker) recorded(outs []Outcome) {
	for _, o := range outs {
		w.guard.add(o)
		if o.State == Sent {
			w.sent++
		}
	}
}

// release puts claimed rows never handed to the transport back in the queue.
func (w *worker) release(rs []Recipient) {
	at := w.s.now().UTC()
	w.mu.Lock()
	for _, r := range rs {
		w.outs = append(w.outs, Outcome{ContactID: r.ContactID, State: Queued, NextAttemptAt: at, At: at})
	}
	w.mu.Unlock()
}

// one screens, renders and sends one message and says what became of it.
func (w *worker) one(ctx context.Context, r Recipient) Outcome {
	now := w.s.now().UTC()
	o := Outcome{ContactID: r.ContactID, At: now}
	if why := w.refuse(r); why != "" {
		o.State, o.Reason = Excluded, why
		return o
	}
	m, err := w.s.render.Render(ctx, withVariant(w.c, r.Variant), r)
	if err != nil {
		o.State, o.Reason = Failed, "render: "+err.Error()
		return o
	}
	mid := messageID(w.c.ID, r.ContactID, w.c.FromAddress)
	m.MessageID = mid     // the message's own field: the builder writes it, and DKIM signs it
	if ctx.Err() != nil { // stopping: this one was never handed over
		o.State, o.NextAttemptAt = Queued, now
		return o
	}
	o.Attempted = true
	err = w.s.send.Send(ctx, m)
	var tmp *deliver.TemporaryError
	switch {
	case err == nil:
		o.State, o.MessageID = Sent, mid
	case ctx.Err() != nil || errors.Is(err, deliver.ErrOutcomeUnknown):
		// Cut off mid-send: the relay may have taken it. Unknown, as after a crash.
		o.State, o.Reason = Unknown, "the send was interrupted: "+err.Error()
	case errors.As(err, &tmp):
		o.SMTPCode = smtpCode(err)
		if r.Attempts+1 >= w.s.opts.MaxAttempts {
			o.State, o.Reason = Failed, fmt.Sprintf("gave up after %d attempts: %v", r.Attempts+1, err)
		} else {
			o.State, o.Reason, o.NextAttemptAt = Queued, err.Error(), now.Add(Backoff(r.Attempts+1))
		}
	default:
		o.State, o.Reason, o.SMTPCode = Failed, err.Error(), smtpCode(err)
	}
	return o
}

// refuse says why a recipient may no longer be mailed, "" when they may: the do-not-contact
// list as it is now, and the contact's status (an unsubscribe refuses marketing only).
func (w *worker) refuse(r Recipient) string {
	if screen := w.screen.Load(); screen != nil && screen.BlocksContact(r.Canonical, "", w.c.Channel, w.c.Purpose) {
		return "suppressed since the campaign started (do-not-contact list)"
	}
	switch r.Status {
	case "blocked", "bounced":
		return "contact " + r.Status + " since the campaign started"
	case "deleted":
		return "contact deleted since the campaign started"
	case "unsubscribed":
		if w.marketing {
			return "contact unsubscribed since the campaign started"
		}
	}
	return ""
}

// Backoff is the wait before attempt n+1 after n temporary failures: 1, 5, 15, 30, 60 minutes.
func Backoff(n int) time.Duration {
	steps := []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour}
	return steps[min(max(n, 1), len(steps))-1]
}

func smtpCode(err error) int {
	var de *deliver.SendError
	if errors.As(err, &de) && de.Code != 0 {
		return de.Code
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// messageID is a campaign message's Message-ID: unique, and naming campaign and contact so
// that a reply or bounce quoting it leads back to the delivery.
func messageID(campaign, contactID int64, from string) string {
	var b [6]byte
	rand.Read(b[:])
	domain := "clearlist.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		domain = from[i+1:]
	}
	return "c" + strconv.FormatInt(campaign, 36) + "." + strconv.FormatInt(contactID, 36) + "." +
		hex.EncodeToString(b[:]) + "@" + domain
}

func bucketKey(campaign int64) string { return "campaign:" + strconv.FormatInt(campaign, 10) }

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

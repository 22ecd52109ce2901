package bounce

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/suppress"
)

// Record stores each event of the workspace and acts on it, each in one transaction with
// its audit entry: a hard bounce marks the contact bounced and puts the address on the
// do-not-contact list; soft bounces do so after bounce.soft_limit within
// bounce.soft_window_days; a complaint puts it on the list for all e-mail; a reply that
// asks to stop does too (reason request-email), or waits for a person when unsure. An event
// that matches nothing sent is answered "ignored: …" and changes nothing; one seen before
// (same source and provider id) is "duplicate". The error is for the store failing.
func (s *Service) Record(ctx context.Context, ws int64, evs []Event) ([]EventResult, error) {
	out := make([]EventResult, 0, len(evs))
	msg := BatchMessage{WorkspaceID: ws}
	var at []int // the result each change belongs to
	b := newBatch()
	b.want(ws, evs)
	if err := s.prefetch(ctx, b); err != nil {
		return out, err
	}
	for i := range evs {
		r, c, err := s.prepare(ctx, ws, evs[i], b)
		if err != nil {
			return out, fmt.Errorf("event %d (%s %s): %w", i+1, evs[i].Kind, evs[i].Address, err)
		}
		if c != nil {
			msg.Changes = append(msg.Changes, *c)
			at = append(at, len(out))
		}
		out = append(out, r)
	}
	if len(msg.Changes) == 0 {
		return out, nil
	}
	ws2, err := s.st.RecordBounceBatch(ctx, []BatchMessage{msg})
	if err != nil {
		return out[:0], fmt.Errorf("record %d events: %w", len(msg.Changes), err)
	}
	var after afterBatch
	for k, w := range ws2[0].Events {
		after.note(ws, &msg.Changes[k], w, &out[at[k]])
	}
	s.after(ctx, after)
	return out, nil
}

// afterBatch is what is done once a batch is committed: the screening indexes of the
// workspaces that got new do-not-contact entries brought up to date, the campaigns that got
// hard bounces or complaints guarded.
type afterBatch struct {
	screen    []int64
	campaigns [][2]int64
}

// note sets the event's result from what the store wrote and remembers its follow-ups.
func (a *afterBatch) note(ws int64, c *Change, w Written, res *EventResult) {
	if w.Dup {
		res.Action = "duplicate"
		return
	}
	res.Action = w.Action
	if len(w.Added) > 0 && !slices.Contains(a.screen, ws) {
		a.screen = append(a.screen, ws)
	}
	if c.Event.CampaignID != 0 && (res.Hard || c.Event.Kind == KindComplained) {
		if k := [2]int64{ws, c.Event.CampaignID}; !slices.Contains(a.campaigns, k) {
			a.campaigns = append(a.campaigns, k)
		}
	}
}

func (s *Service) after(ctx context.Context, a afterBatch) {
	for _, ws := range a.screen {
		// Bring this process's screening index up to date now: the next send must see it.
		if _, err := s.dnc.Screen(ctx, ws, true); err != nil {
			s.log.Warn("screening index not caught up after a bounce", "workspace_id", ws, "err", err)
		}
	}
	if s.opts.Guard == nil {
		return
	}
	for _, k := range a.campaigns {
		// The events are on record; a failed check only delays the pause to the next event.
		if err := s.opts.Guard.Guard(ctx, k[0], k[1]); err != nil {
			s.log.Warn("campaign guard after a bounce", "workspace_id", k[0], "campaign_id", k[1], "err", err)
		}
	}
}

// prepare matches and classifies one event and decides what it does; the change is nil
// when the event is ignored (res.Action says why). b is the batch's look-ups.
func (s *Service) prepare(ctx context.Context, ws int64, e Event, b *batch) (EventResult, *Change, error) {
	e.Address = strings.ToLower(strings.TrimSpace(e.Address))
	res := EventResult{Kind: e.Kind, Address: e.Address, Reason: e.Reason, Hard: e.Hard}
	ignore := func(why string) (EventResult, *Change, error) { res.Action = "ignored: " + why; return res, nil, nil }
	switch e.Kind {
	case KindDelivered, KindDeferred, KindBounced, KindComplained, KindReplied:
	default:
		return ignore(fmt.Sprintf("unknown kind %q", e.Kind))
	}
	if e.WorkspaceID != 0 && e.WorkspaceID != ws {
		return ignore("the event names another workspace")
	}
	sent, why, err := s.match(ctx, b, ws, e)
	if err != nil {
		return res, nil, err
	}
	if why != "" {
		if e.Kind == KindComplained && e.Address == "" && e.ContactID == 0 && e.TransactionalID == 0 {
			return s.unmatchedComplaint(ws, e, res, why)
		}
		return ignore(why)
	}
	res.CampaignID, res.ContactID = sent.CampaignID, sent.ContactID
	if res.Address == "" { // a report that names no recipient, matched by its message
		res.Address = strings.ToLower(sent.Address)
	}
	if e.Kind == KindBounced && e.Reason == "" {
		e.Reason, e.Hard = s.classify(e)
	}
	res.Reason, res.Hard = e.Reason, e.Hard && e.Kind == KindBounced
	if e.At.IsZero() || e.At.After(s.now().Add(5*time.Minute)) {
		e.At = s.now()
	}
	c := &Change{Event: Stored{WorkspaceID: ws, Kind: e.Kind, Reason: clip(e.Reason, 100), Hard: res.Hard,
		Status: clip(e.Status, 20), Via: clip(e.Via, 40), ExternalID: clip(e.ExternalID, 200), Address: sent.Address,
		CampaignID: sent.CampaignID, ContactID: sent.ContactID, TransactionalID: sent.TransactionalID,
		Detail: detail(e), At: e.At.UTC()}}
	if err := s.decide(ctx, ws, e, c, b); err != nil {
		return res, nil, err
	}
	res.Action = c.Event.Action
	return res, c, nil
}

// unmatchedComplaint records a complaint whose recipient the report does not name (the
// provider redacted it) and whose message names no contact we can verify — at most a
// campaign by its unsigned Feedback-ID: an event without address or contact, counted toward
// no campaign's complaint rate (anyone can write a Feedback-ID), nothing suppressed.
func (s *Service) unmatchedComplaint(ws int64, e Event, res EventResult, why string) (EventResult, *Change, error) {
	if e.At.IsZero() || e.At.After(s.now().Add(5*time.Minute)) {
		e.At = s.now()
	}
	d := "feedback-type " + cmpOr(e.FeedbackType, "abuse")
	if e.CampaignID != 0 {
		d += fmt.Sprintf("; the Feedback-ID names campaign %d (unverified)", e.CampaignID)
	}
	d += "; " + why
	res.Reason, res.CampaignID = "feedback", 0
	res.Action = "unmatched complaint: the report names no recipient and no message clearlist can verify; kept, nothing done"
	c := &Change{Event: Stored{WorkspaceID: ws, Kind: KindComplained, Reason: "feedback", Via: clip(e.Via, 40),
		ExternalID: clip(e.ExternalID, 200), Detail: clip(d, 500), Action: res.Action, At: e.At.UTC()}}
	return res, c, nil
}

// match finds the message the event is about: by the ids the source names, the
// Message-ID, the campaign and address, else the workspace's contact of the address. why
// says why none was found.
func (s *Service) match(ctx context.Context, b *batch, ws int64, e Event) (Sent, string, error) {
	var sent Sent
	var err error
	what := ""
	switch {
	case e.TransactionalID != 0:
		sent, err = s.st.TransactionalSent(ctx, ws, e.TransactionalID)
		what = fmt.Sprintf("no transactional message %d in this workspace", e.TransactionalID)
	case e.CampaignID != 0 && e.ContactID != 0:
		sent, err = s.sentTo(ctx, b, ws, e.CampaignID, e.ContactID)
		what = fmt.Sprintf("campaign %d sent nothing to contact %d in this workspace", e.CampaignID, e.ContactID)
	case e.CampaignID != 0 && e.Address != "":
		// A report about several recipients of one campaign message: each by its address.
		sent, err = s.sentToAddress(ctx, ws, e.CampaignID, e.Address)
		what = fmt.Sprintf("campaign %d sent nothing to %s in this workspace", e.CampaignID, e.Address)
	case e.MessageID != "":
		sent, err = s.st.SentByMessageID(ctx, ws, strings.Trim(strings.TrimSpace(e.MessageID), "<>"))
		what = "no message of this workspace has this Message-ID"
		if errors.Is(err, errs.ErrNotFound) && e.Address != "" {
			sent, err = s.sentToAddress(ctx, ws, e.CampaignID, e.Address)
			what = "unknown address " + e.Address
		}
	case e.Address != "":
		sent, err = s.sentToAddress(ctx, ws, e.CampaignID, e.Address)
		what = "unknown address " + e.Address
		if e.CampaignID != 0 {
			what = fmt.Sprintf("campaign %d sent nothing to %s in this workspace", e.CampaignID, e.Address)
		}
	default:
		return Sent{}, "the event names no message, campaign or address", nil
	}
	if errors.Is(err, errs.ErrNotFound) {
		return Sent{}, what, nil
	}
	if err != nil {
		return Sent{}, "", err
	}
	if sent.WorkspaceID != ws {
		return Sent{}, what, nil
	}
	return sent, "", nil
}

// classify gives a bounce without a reason one: the classifier's, else hard for a 5.x.x
// status or a 5xx reply (what RFC 3463 and 5321 mean by permanent).
func (s *Service) classify(e Event) (string, bool) {
	if s.opts.Classify != nil {
		return s.opts.Classify(e.Status, e.ReplyCode, e.Diagnostic)
	}
	hard := strings.HasPrefix(e.Status, "5.") || e.Status == "" && strings.HasPrefix(e.ReplyCode, "5")
	return "", hard
}

// decide fills in what the event does: the action, the contact to mark, the entries, the
// review.
func (s *Service) decide(ctx context.Context, ws int64, e Event, c *Change, b *batch) error {
	ev := &c.Event
	ev.Action = "recorded"
	switch {
	case e.Kind == KindBounced && ev.Hard:
		c.MarkBounced = ev.ContactID != 0
		ev.Action = "undeliverable"
		return s.suppress(ctx, b, ws, c, suppress.ReasonHardBounce, suppress.InBounce, "hard bounce: "+reasonText(e))
	case e.Kind == KindBounced:
		limit, err := s.cachedSetting(ctx, ws, SettingSoftLimit, DefaultSoftLimit, b)
		if err != nil {
			return err
		}
		days, err := s.cachedSetting(ctx, ws, SettingSoftWindowDays, DefaultSoftWindowDays, b)
		if err != nil {
			return err
		}
		// The entry is prepared now and written only when the store, counting the earlier
		// soft bounces inside the event's transaction, finds the limit reached.
		if err := s.suppress(ctx, b, ws, c, suppress.ReasonHardBounce, suppress.InBounce, ""); err != nil {
			return err
		}
		invalid := ev.Action // "ignored: …" when the address cannot go on the list
		c.MarkBounced = false
		why := reasonText(e)
		c.Soft = &Soft{Since: ev.At.Add(-time.Duration(days) * 24 * time.Hour), Decide: func(earlier int) (string, string, bool) {
			n := earlier + 1
			if n < limit {
				return fmt.Sprintf("soft-bounce %d of %d", n, limit), "", false
			}
			if invalid != "recorded" {
				return invalid, "", false
			}
			return fmt.Sprintf("suppressed: soft-bounce %d of %d within %d days", n, limit, days),
				clip(fmt.Sprintf("%d soft bounces within %d days, the last: %s", n, days, why), 900), true
		}}
		ev.Action = fmt.Sprintf("soft-bounce ? of %d", limit) // decided in the transaction
		return nil
	case e.Kind == KindComplained:
		if strings.EqualFold(e.FeedbackType, "not-spam") {
			return nil
		}
		ev.Action = "suppressed"
		return s.suppress(ctx, b, ws, c, suppress.ReasonComplaint, suppress.InBounce, "spam complaint ("+cmpOr(e.FeedbackType, "abuse")+")")
	case e.Kind == KindReplied:
		if e.Reason == "vacation" {
			return nil
		}
		phrase, sure, found := StopRequest(e.Text)
		switch {
		case !found:
			return nil
		case sure:
			ev.Action = "suppressed"
			return s.suppress(ctx, b, ws, c, suppress.ReasonRequestEmail, suppress.InEmail, fmt.Sprintf("reply asking to stop (%q)", phrase))
		}
		ev.Action = "review"
		c.Review = &Review{WorkspaceID: ws, CampaignID: ev.CampaignID, ContactID: ev.ContactID, Address: ev.Address,
			Excerpt: clip(normalizeReply(ownText(e.Text)), 1000), Matched: phrase, ReceivedAt: ev.At, State: ReviewPending}
	}
	return nil
}

// suppress prepares the event's do-not-contact entry for its address, on e-mail for every
// purpose, received when the event happened (the deadline runs from it).
func (s *Service) suppress(ctx context.Context, b *batch, ws int64, c *Change, reason suppress.Reason, in, note string) error {
	prep, err := s.preparer(ctx, b, ws)
	if err != nil {
		return err
	}
	e, err := prep(ctx, suppress.Intake{Kind: string(suppress.KindEmail), Value: c.Event.Address,
		Scope: suppress.ChannelEmail, Reason: string(reason), ChannelIn: in, By: RecordedBy, Note: clip(note, 900),
		ReceivedAt: c.Event.At}, s.now().UTC())
	if errors.Is(err, suppress.ErrInvalid) {
		c.Event.Action = "ignored: the address cannot go on the do-not-contact list: " + err.Error()
		c.MarkBounced, c.Review = false, nil
		return nil
	}
	if err != nil {
		return err
	}
	c.Suppress = append(c.Suppress, e)
	return nil
}

func reasonText(e Event) string {
	parts := []string{}
	for _, p := range []string{e.Reason, e.Status, e.ReplyCode} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "no status given"
	}
	return strings.Join(parts, " ")
}

// detail is the event's stored detail: the remote MTA's words, or the complaint's type.
func detail(e Event) string {
	d := e.Diagnostic
	if e.FeedbackType != "" {
		d = "feedback-type " + e.FeedbackType
	}
	if e.RemoteMTA != "" {
		d = strings.TrimSpace(d + " (remote " + e.RemoteMTA + ")")
	}
	return clip(d, 500)
}

// clip drops control characters and cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// sentToAddress matches an address as sent or in its canonical form (contact.CanonicalEmail).
func (s *Service) sentToAddress(ctx context.Context, ws, campaign int64, address string) (Sent, error) {
	_, canonical, err := contact.CanonicalEmail(address)
	if err != nil {
		return Sent{}, errs.ErrNotFound
	}
	return s.st.SentToAddress(ctx, ws, campaign, address, canonical)
}

package bounce

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/mail"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/clearlist/clearlist/internal/bounce/dsn"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/suppress"
)

// MaxMessage is the largest message IngestMessage takes (the inbound server refuses more).
const MaxMessage = 30 << 20

// IngestMessage keeps a received message (a DSN, a complaint, a reply), parses it, finds
// the workspace, campaign and contact it is about — from our signed VERP return path, else
// the original Message-ID or Feedback-ID where the store knows them — and records its
// events. A message received before (the same bytes) is not acted on twice; one that is not
// ours, or whose VERP address is forged, is kept and answered Ignored, nothing done.
//
// Duplicates are recognised by the SHA-256 of the bytes across the whole instance, not per
// workspace: the check comes before the message says whose it is, and the same bytes are
// about the same sent message (one VERP address, one Message-ID), so of one workspace.
func (s *Service) IngestMessage(ctx context.Context, raw []byte, via string) (IngestResult, error) {
	rs, err := s.IngestBatch(ctx, [][]byte{raw}, via)
	if err != nil {
		return IngestResult{}, err
	}
	return rs[0], nil
}

// IngestBatch is IngestMessage for many messages, with the same results, written in ONE
// transaction: the messages are parsed in parallel, identified and matched (the VERP keys,
// settings and deadline rules read once per workspace, the deliveries of the batch by one
// query per campaign), then kept with their events, do-not-contact entries, status changes
// and audit entries by set-based writes that leave what one by one would. A store error
// fails the whole batch (nothing of it is written), and the caller keeps the messages.
func (s *Service) IngestBatch(ctx context.Context, raws [][]byte, via string) ([]IngestResult, error) {
	p, err := s.prepareBatch(ctx, raws, via)
	if err != nil {
		return nil, err
	}
	return s.recordBatch(ctx, p)
}

// preparedBatch is a batch parsed, identified and matched, ready to be recorded.
type preparedBatch struct {
	out  []IngestResult
	idx  []int // the result of each message of msgs
	msgs []BatchMessage
	at   [][]int // the result event of each change of each message of msgs
}

// prepareBatch parses, identifies and matches a batch's messages and prepares their changes;
// it writes nothing.
func (s *Service) prepareBatch(ctx context.Context, raws [][]byte, via string) (*preparedBatch, error) {
	if s.opts.Parse == nil || s.opts.Classify == nil {
		return nil, ErrNoParser
	}
	p := &preparedBatch{out: make([]IngestResult, len(raws))}
	out := p.out
	reps := make([]*dsn.Report, len(raws))
	perrs := make([]error, len(raws))
	s.parseAll(raws, reps, perrs)
	b := newBatch()
	type pending struct {
		i   int // the message's result
		ws  int64
		evs []Event
	}
	var todo []pending
	received := s.now().UTC()
	// What each message is about; the Message-IDs of those without VERP address are looked
	// up together.
	origins := make([]origin, len(raws))
	var mids []string
	for i, rep := range reps {
		if rep == nil || perrs[i] != nil || rep.Kind == dsn.KindAutoReply {
			continue
		}
		origins[i] = originOf(rep, raws[i])
		if o := origins[i]; o.verp == "" && o.mid != "" && !b.lookedMID[o.mid] {
			b.lookedMID[o.mid] = true
			mids = append(mids, o.mid)
		}
	}
	if len(mids) > 0 {
		found, err := s.st.SentByMessageIDs(ctx, mids)
		if err != nil {
			return nil, fmt.Errorf("find the messages by Message-ID: %w", err)
		}
		b.mids = found
	}
	for i, raw := range raws {
		if len(raw) > MaxMessage {
			out[i] = IngestResult{Kind: "unknown", Ignored: fmt.Sprintf("message of %d bytes is over the %d-byte limit: not kept", len(raw), MaxMessage)}
			continue
		}
		res, id, evs, err := s.identifyMessage(ctx, b, reps[i], perrs[i], origins[i], via)
		if err != nil {
			return nil, err
		}
		out[i] = res
		todo = append(todo, pending{i: i, ws: id.WorkspaceID, evs: evs})
		b.want(id.WorkspaceID, evs)
	}
	if err := s.prefetch(ctx, b); err != nil {
		return nil, err
	}
	for _, t := range todo {
		raw, res := raws[t.i], &out[t.i]
		sum := sha256.Sum256(raw)
		m := BatchMessage{Inbound: &Inbound{ReceivedAt: received, Via: via, SHA256: sum[:], Raw: raw}, WorkspaceID: t.ws, Kind: res.Kind}
		var idx []int
		for k := range t.evs {
			r, c, err := s.prepare(ctx, t.ws, t.evs[k], b)
			if err != nil {
				return nil, fmt.Errorf("event %d (%s %s): %w", k+1, t.evs[k].Kind, t.evs[k].Address, err)
			}
			if c != nil {
				m.Changes = append(m.Changes, *c)
				idx = append(idx, len(res.Events))
			}
			res.Events = append(res.Events, r)
		}
		m.Ignored = clip(res.Ignored, 500)
		evs := res.Events
		m.Outcome = func(actions []string) string {
			rs := slices.Clone(evs)
			for k, a := range actions {
				rs[idx[k]].Action = a
			}
			return clip(summary(rs), 500)
		}
		p.msgs = append(p.msgs, m)
		p.idx = append(p.idx, t.i)
		p.at = append(p.at, idx)
	}
	return p, nil
}

// recordBatch writes a prepared batch in one transaction and does what follows it (the
// screening index brought up to date, the campaigns guarded).
func (s *Service) recordBatch(ctx context.Context, p *preparedBatch) ([]IngestResult, error) {
	out, after, err := s.writeBatch(ctx, p)
	if err != nil {
		return nil, err
	}
	s.after(ctx, after)
	return out, nil
}

// writeBatch writes a prepared batch in one transaction and gives its results and what is
// to follow it (s.after).
func (s *Service) writeBatch(ctx context.Context, p *preparedBatch) ([]IngestResult, afterBatch, error) {
	var after afterBatch
	out, msgs := p.out, p.msgs
	if len(msgs) == 0 {
		return out, after, nil
	}
	written, err := s.st.RecordBounceBatch(ctx, msgs)
	if err != nil {
		return nil, after, fmt.Errorf("record %d received messages: %w", len(msgs), err)
	}
	for k, w := range written {
		res := &out[p.idx[k]]
		res.MessageID = w.InboundID
		if w.Dup {
			*res = IngestResult{MessageID: w.InboundID, Kind: "unknown", Ignored: fmt.Sprintf("received before as message %d: not acted on twice", w.InboundID)}
			continue
		}
		for j, ew := range w.Events {
			after.note(msgs[k].WorkspaceID, &msgs[k].Changes[j], ew, &res.Events[p.at[k][j]])
		}
	}
	return out, after, nil
}

// batch is what a batch's messages share: the workspaces' VERP keys, settings and
// do-not-contact preparers, and the deliveries the batch is about.
type batch struct {
	keys     map[int64][]byte // nil value: the workspace has no VERP key
	settings map[string]int
	prep     map[int64]suppress.PrepareFunc
	// sent holds the addresses of the deliveries looked up for the batch; wanted the ones to
	// look up; looked the ones looked up (found or not).
	sent   map[sentKey]string
	wanted map[[2]int64][]int64
	looked map[sentKey]bool
	// mids holds the messages found by Message-ID for the batch; lookedMID the Message-IDs
	// looked up (found or not).
	mids      map[string]Sent
	lookedMID map[string]bool
}

type sentKey struct{ ws, campaign, contact int64 }

func newBatch() *batch {
	return &batch{keys: map[int64][]byte{}, settings: map[string]int{}, prep: map[int64]suppress.PrepareFunc{},
		sent: map[sentKey]string{}, wanted: map[[2]int64][]int64{}, looked: map[sentKey]bool{},
		mids: map[string]Sent{}, lookedMID: map[string]bool{}}
}

// want notes the deliveries the events of workspace ws name by campaign and contact, for
// prefetch to look up together.
func (b *batch) want(ws int64, evs []Event) {
	for _, e := range evs {
		if e.TransactionalID != 0 || e.CampaignID == 0 || e.ContactID == 0 || e.WorkspaceID != 0 && e.WorkspaceID != ws {
			continue
		}
		k := sentKey{ws, e.CampaignID, e.ContactID}
		if b.looked[k] {
			continue
		}
		b.looked[k] = true
		b.wanted[[2]int64{ws, e.CampaignID}] = append(b.wanted[[2]int64{ws, e.CampaignID}], e.ContactID)
	}
}

// prefetch looks up the wanted deliveries, one query per campaign.
func (s *Service) prefetch(ctx context.Context, b *batch) error {
	for wc, contacts := range b.wanted {
		got, err := s.st.SentToContacts(ctx, wc[0], wc[1], contacts)
		if err != nil {
			return fmt.Errorf("find the deliveries of campaign %d: %w", wc[1], err)
		}
		for id, a := range got {
			b.sent[sentKey{wc[0], wc[1], id}] = a
		}
	}
	clear(b.wanted)
	return nil
}

// sentTo is Store.SentTo through the batch's look-ups.
func (s *Service) sentTo(ctx context.Context, b *batch, ws, campaign, contact int64) (Sent, error) {
	k := sentKey{ws, campaign, contact}
	if !b.looked[k] {
		return s.st.SentTo(ctx, ws, campaign, contact)
	}
	a, ok := b.sent[k]
	if !ok {
		return Sent{}, errs.ErrNotFound
	}
	return Sent{WorkspaceID: ws, CampaignID: campaign, ContactID: contact, Address: a}, nil
}

// preparer is the workspace's do-not-contact preparer, made once per batch.
func (s *Service) preparer(ctx context.Context, b *batch, ws int64) (suppress.PrepareFunc, error) {
	if p, ok := b.prep[ws]; ok {
		return p, nil
	}
	p, err := s.dnc.Preparer(ctx, ws)
	if err == nil {
		b.prep[ws] = p
	}
	return p, err
}

// parseAll parses the messages on every processor.
func (s *Service) parseAll(raws [][]byte, reps []*dsn.Report, errs []error) {
	workers := min(runtime.GOMAXPROCS(0), len(raws))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(raws) {
					return
				}
				if len(raws[i]) <= MaxMessage {
					reps[i], errs[i] = s.opts.Parse(raws[i])
				}
			}
		}()
	}
	wg.Wait()
}

// identifyMessage identifies a parsed message and makes its events (none when it is
// ignored: res.Ignored says why).
func (s *Service) identifyMessage(ctx context.Context, b *batch, rep *dsn.Report, perr error, o origin, via string) (IngestResult, Sent, []Event, error) {
	if perr != nil || rep == nil {
		return IngestResult{Kind: "unknown", Ignored: fmt.Sprintf("unreadable message: %v", perr)}, Sent{}, nil, nil
	}
	res := IngestResult{Kind: string(rep.Kind)}
	if rep.Kind == dsn.KindAutoReply {
		res.Ignored = "auto-reply (out of office): recorded, nothing done"
		return res, Sent{}, nil, nil
	}
	id, why, err := s.identify(ctx, b, rep, o)
	if err != nil {
		return res, Sent{}, nil, err
	}
	if why != "" {
		res.Ignored = why
		return res, Sent{}, nil, nil
	}
	evs := events(rep, id, via)
	if len(evs) == 0 {
		res.Ignored = "the message names no recipient"
	}
	return res, id, evs, nil
}

// identify finds what the message is about. A VERP return path is trusted only when its
// signature verifies with its workspace's key; without one, the original Message-ID or
// Feedback-ID is looked up (the store knows which messages it sent).
func (s *Service) identify(ctx context.Context, b *batch, rep *dsn.Report, o origin) (Sent, string, error) {
	if o.verp != "" {
		return s.verp(ctx, b, o.verp)
	}
	if o.mid != "" {
		sent, err := s.sentByMessageID(ctx, b, o.mid)
		if err == nil {
			return Sent{WorkspaceID: sent.WorkspaceID, CampaignID: sent.CampaignID, ContactID: sent.ContactID,
				TransactionalID: sent.TransactionalID}, "", nil
		}
		if !errors.Is(err, errs.ErrNotFound) {
			return Sent{}, "", err
		}
	}
	if ws, campaign, tx, ok := parseFeedbackID(rep.Original.FeedbackID); ok {
		// A Feedback-ID is not signed: it only says where to look; Record acts only on an
		// address that message was really sent to.
		return Sent{WorkspaceID: ws, CampaignID: campaign, TransactionalID: tx}, "", nil
	}
	return Sent{}, "not one of ours: no VERP return path, Message-ID or Feedback-ID clearlist sent", nil
}

// origin is what a received message says of the message it is about: our VERP address
// (from the original's Return-Path or the headers the receiving MTA added), else the
// original's Message-ID (a reply's In-Reply-To).
type origin struct{ verp, mid string }

func originOf(rep *dsn.Report, raw []byte) origin {
	h := headers(raw)
	for _, addr := range []string{rep.Original.ReturnPath, h.Get("X-Original-To"), h.Get("Delivered-To"), h.Get("To")} {
		addr = strings.Trim(strings.TrimSpace(addr), "<>")
		if local, _, _ := strings.Cut(addr, "@"); strings.HasPrefix(strings.ToLower(local), deliver.VERPPrefix) {
			return origin{verp: addr}
		}
	}
	mid := rep.Original.MessageID
	if mid == "" && rep.Kind == dsn.KindReply {
		mid = h.Get("In-Reply-To")
	}
	return origin{mid: strings.Trim(strings.TrimSpace(mid), "<>")}
}

// sentByMessageID is Store.SentByMessageID (any workspace) through the batch's look-ups.
func (s *Service) sentByMessageID(ctx context.Context, b *batch, mid string) (Sent, error) {
	if !b.lookedMID[mid] {
		return s.st.SentByMessageID(ctx, 0, mid)
	}
	sent, ok := b.mids[mid]
	if !ok {
		return Sent{}, errs.ErrNotFound
	}
	return sent, nil
}

// verp checks a VERP address with its workspace's key.
func (s *Service) verp(ctx context.Context, b *batch, addr string) (Sent, string, error) {
	local, _, _ := strings.Cut(addr, "@")
	wsText, _, _ := strings.Cut(local[len(deliver.VERPPrefix):], ".")
	ws, err := strconv.ParseInt(wsText, 10, 64)
	if err != nil || ws <= 0 {
		return Sent{}, "forged or altered VERP address " + clip(addr, 100) + ": nothing done", nil
	}
	key, known := b.keys[ws]
	if !known {
		key, err = s.st.ExistingSigningKey(ctx, ws, VERPKeyName)
		if errors.Is(err, errs.ErrNotFound) {
			b.keys[ws], err = nil, errs.ErrNotFound
		} else if err == nil {
			b.keys[ws] = key
		}
	} else if key == nil {
		err = errs.ErrNotFound
	}
	if errors.Is(err, errs.ErrNotFound) {
		return Sent{}, "VERP address " + clip(addr, 100) + " names no workspace that sent mail: nothing done", nil
	}
	if err != nil {
		return Sent{}, "", err
	}
	w, campaign, contact, err := deliver.VERPDecode(key, addr)
	if err != nil || w != ws {
		return Sent{}, "forged or altered VERP address " + clip(addr, 100) + ": nothing done", nil
	}
	if campaign == 0 { // a transactional message: the contact slot holds its id
		return Sent{WorkspaceID: ws, TransactionalID: contact}, "", nil
	}
	return Sent{WorkspaceID: ws, CampaignID: campaign, ContactID: contact}, "", nil
}

// parseFeedbackID reads the Feedback-ID clearlist writes: "c<campaign>:ws<ws>:…" for a
// campaign, "t<id>:<ws>:transactional:…" for a transactional message.
func parseFeedbackID(f string) (ws, campaign, tx int64, ok bool) {
	parts := strings.Split(strings.TrimSpace(f), ":")
	if len(parts) != 4 || parts[3] != "clearlist" || len(parts[0]) < 2 {
		return 0, 0, 0, false
	}
	idText, wsText := parts[0][1:], strings.TrimPrefix(parts[1], "ws")
	id, err1 := strconv.ParseInt(idText, 10, 64)
	w, err2 := strconv.ParseInt(wsText, 10, 64)
	// Only the form clearlist writes: "+12" or "012" is not one of ours.
	if err1 != nil || err2 != nil || id <= 0 || w <= 0 || strconv.FormatInt(id, 10) != idText || strconv.FormatInt(w, 10) != wsText {
		return 0, 0, 0, false
	}
	switch parts[0][0] {
	case 'c':
		return w, id, 0, true
	case 't':
		return w, 0, id, true
	}
	return 0, 0, 0, false
}

func headers(raw []byte) mail.Header {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if e2 := bytes.Index(raw, []byte("\n\n")); e2 >= 0 && (end < 0 || e2 < end) {
		end = e2
	}
	if end < 0 {
		end = len(raw)
	}
	m, err := mail.ReadMessage(bytes.NewReader(append(raw[:end:end], "\r\n\r\n"...)))
	if err != nil {
		return mail.Header{}
	}
	return m.Header
}

// events turns a report into events about the message id names.
func events(rep *dsn.Report, id Sent, via string) []Event {
	base := Event{Via: via, MessageID: rep.Original.MessageID, ReturnPath: rep.Original.ReturnPath,
		FeedbackID: rep.Original.FeedbackID, CampaignID: id.CampaignID, ContactID: id.ContactID,
		TransactionalID: id.TransactionalID, WorkspaceID: id.WorkspaceID}
	if id.ContactID == 0 && id.CampaignID == 0 && id.TransactionalID == 0 {
		base.MessageID = "" // matched by address in the workspace
	}
	switch rep.Kind {
	case dsn.KindReply:
		e := base
		e.Kind, e.Address, e.Text = KindReplied, addressOf(rep.From), rep.Text
		return []Event{e}
	case dsn.KindComplaint:
		e := base
		e.Kind, e.FeedbackType, e.Reason = KindComplained, rep.FeedbackType, "feedback"
		e.Address = rep.Original.To
		if len(rep.Recipients) > 0 {
			e.Address = rep.Recipients[0].Address
		}
		e.Address = addressOf(e.Address)
		return []Event{e}
	}
	var out []Event
	for _, r := range rep.Recipients {
		e := base
		e.Address, e.Reason, e.Hard, e.Status, e.ReplyCode = r.Address, r.Reason, r.Hard, r.Status, r.ReplyCode
		e.Diagnostic, e.RemoteMTA = r.Diagnostic, r.RemoteMTA
		switch strings.ToLower(r.Action) {
		case "delivered", "relayed", "expanded":
			e.Kind = KindDelivered
		case "delayed":
			e.Kind = KindDeferred
		default:
			e.Kind = KindBounced
		}
		if rep.Kind == dsn.KindDelivered {
			e.Kind = KindDelivered
		}
		if len(rep.Recipients) > 1 && id.ContactID != 0 {
			// One VERP address is one contact: the other recipients are matched by address.
			e.ContactID = 0
		}
		out = append(out, e)
	}
	return out
}

func addressOf(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	return strings.Trim(strings.TrimSpace(s), "<>")
}

// summary is a kept message's outcome: its events' actions.
func summary(rs []EventResult) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		if r.Address == "" {
			parts = append(parts, r.Action)
			continue
		}
		parts = append(parts, r.Address+": "+r.Action)
	}
	return strings.Join(parts, "; ")
}

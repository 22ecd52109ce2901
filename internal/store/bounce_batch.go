package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/suppress"
)

// RecordBounceBatch writes a batch of received messages and their events in one
// transaction, set-based: what one by one would decide statement by statement (a message
// kept before, a provider event seen before, a contact bounced earlier in the batch, the
// soft bounces before each one, a do-not-contact entry already on file) is read by one
// query per kind and workspace and resolved in Go in the batch's order, and then the kept
// messages, events, status changes, do-not-contact entries and their audit rows are each
// written by multi-row inserts. The outcome is what RecordBounceEvent and SaveInbound
// message after message would leave — the same events, entries, statuses, reviews and
// audit entries in the same order (chained in Go, bounce_audit.go) — except that a batch
// takes one change number of the do-not-contact list per workspace (it commits at once)
// and queues one webhook delivery per workspace for the entries it added.
//
// The workspaces' audit locks are taken first (in id order), so batches of one workspace
// do not interleave. A kept message or provider event written by a concurrent writer
// that is not serialised by them fails the batch (nothing written; it is retried and then
// recognised as received before).
func (s *Store) RecordBounceBatch(ctx context.Context, msgs []bounce.BatchMessage) ([]bounce.BatchWritten, error) {
	var out []bounce.BatchWritten
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.recordBounceBatchTx(ctx, tx, msgs)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// batchEvent is one change of a batch as it is resolved.
type batchEvent struct {
	msg     int
	c       bounce.Change
	dup     bool
	id      int64
	bounced bool
	from    string // the contact's status before, when bounced
	added   []Suppression
	review  int64
	inbound int64 // the kept message it came from (0: none)
}

// The engines' limits on parameters in one statement (SQLite 32,766, PostgreSQL 65,535),
// with room, and the bytes of kept messages in one insert.
const (
	batchParams     = 30000
	batchRowsMax    = 500
	batchInboundMax = 32 << 20
)

func batchRows(cols int) int { return min(batchRowsMax, batchParams/cols) }

// valuesSQL is "head (?, …), (?, …) tail" for rows rows of cols parameters.
func valuesSQL(head string, cols, rows int, tail string) string {
	var b strings.Builder
	one := "(" + strings.Repeat("?, ", cols-1) + "?)"
	b.Grow(len(head) + rows*(len(one)+1) + len(tail) + 2)
	b.WriteString(head)
	b.WriteString(" VALUES ")
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	b.WriteByte(' ')
	b.WriteString(tail)
	return b.String()
}

// inList is "?, ?, …" for n parameters.
func inList(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func (s *Store) recordBounceBatchTx(ctx context.Context, tx *sql.Tx, msgs []bounce.BatchMessage) ([]bounce.BatchWritten, error) {
	out := make([]bounce.BatchWritten, len(msgs))
	bctx, buf := withAuditBuffer(ctx)
	at := now()

	// The workspaces' trails, locked in id order: the soft-bounce counts, the contacts'
	// statuses and the provider ids read below stay true until the commit.
	var wss []int64
	for _, m := range msgs {
		for _, c := range m.Changes {
			if !slices.Contains(wss, c.Event.WorkspaceID) {
				wss = append(wss, c.Event.WorkspaceID)
			}
		}
	}
	slices.Sort(wss)
	for _, ws := range wss {
		if err := buf.lock(bctx, s, tx, ws); err != nil {
			return nil, err
		}
	}

	// Kept messages: the same bytes kept before, or earlier in the batch, make a duplicate.
	firstOf := map[string]int{}
	dupOf := map[int]int{} // a message whose bytes came earlier in the batch → that message
	var shas [][]byte
	for i, m := range msgs {
		if m.Inbound == nil {
			continue
		}
		k := string(m.Inbound.SHA256)
		if j, ok := firstOf[k]; ok {
			out[i].Dup, dupOf[i] = true, j
			continue
		}
		firstOf[k] = i
		shas = append(shas, m.Inbound.SHA256)
	}
	if err := s.inboundIDs(ctx, tx, shas, func(sha []byte, id int64) {
		i := firstOf[string(sha)]
		out[i].Dup, out[i].InboundID = true, id
	}); err != nil {
		return nil, fmt.Errorf("find received messages kept before: %w", err)
	}

	// The new messages' ids, taken now: their events name them (erasure finds them so).
	var fresh []int
	for i, m := range msgs {
		if m.Inbound != nil && !out[i].Dup {
			fresh = append(fresh, i)
		}
	}
	if len(fresh) > 0 {
		ids, err := s.tableIDs(ctx, tx, "inbound_messages", len(fresh))
		if err != nil {
			return nil, err
		}
		for k, i := range fresh {
			out[i].InboundID = ids[k]
		}
	}

	// The events of the messages that are not duplicates, in order.
	var evs []*batchEvent
	for i, m := range msgs {
		if out[i].Dup {
			continue
		}
		for _, c := range m.Changes {
			evs = append(evs, &batchEvent{msg: i, c: c, inbound: out[i].InboundID})
		}
	}
	if err := s.batchEventDups(ctx, tx, evs); err != nil {
		return nil, err
	}
	if err := s.batchSoftBounces(ctx, tx, evs); err != nil {
		return nil, err
	}
	if err := s.batchInsertEvents(ctx, tx, evs); err != nil {
		return nil, err
	}
	if err := s.batchMarkBounced(ctx, tx, evs, at); err != nil {
		return nil, err
	}
	if err := s.batchSuppressions(ctx, tx, evs, at); err != nil {
		return nil, err
	}
	for _, ev := range evs {
		r, e := ev.c.Review, ev.c.Event
		if ev.dup || r == nil {
			continue
		}
		var err error
		if ev.review, err = s.insertID(ctx, tx, `INSERT INTO bounce_reviews (workspace_id, event_id, campaign_id, contact_id,
			address, excerpt, matched, received_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.WorkspaceID, ev.id,
			r.CampaignID, r.ContactID, r.Address, r.Excerpt, r.Matched, r.ReceivedAt.UTC(), bounce.ReviewPending); err != nil {
			return nil, fmt.Errorf("queue the reply for review: %w", err)
		}
	}

	// The audit entries, event after event as one by one: the status change, the entries
	// added, the event.
	for _, ev := range evs {
		e := ev.c.Event
		if ev.dup {
			continue
		}
		if ev.bounced {
			why := bouncedWhy(e.Reason)
			if err := s.auditTx(bctx, tx, e.WorkspaceID, "contact.status", "contact", e.ContactID, audit.Change{Field: "status",
				Before: ev.from, After: string(contact.StatusBounced)}, audit.Set("reason", why)); err != nil {
				return nil, err
			}
		}
		for _, a := range ev.added {
			if err := s.auditTx(bctx, tx, e.WorkspaceID, suppressionActions["added"], "suppression", a.ID,
				audit.Set("recorded_by", a.RecordedBy), audit.Set("detail", suppressionAddedDetail(a)),
				audit.Set("hash", hex.EncodeToString(a.Hash))); err != nil {
				return nil, err
			}
		}
		if err := s.auditTx(bctx, tx, e.WorkspaceID, "bounce.event", "event", ev.id, bounceEventAudit(e, ev.review)...); err != nil {
			return nil, err
		}
	}

	// What each message did, and the kept messages with their outcomes.
	k := 0
	var keep []int
	outcomes := make([]string, len(msgs))
	for i, m := range msgs {
		if out[i].Dup {
			continue
		}
		actions := make([]string, 0, len(m.Changes))
		for range m.Changes {
			ev := evs[k]
			k++
			action := ev.c.Event.Action
			if ev.dup {
				action = "duplicate"
			}
			out[i].Events = append(out[i].Events, bounce.Written{Recorded: bounce.Recorded{EventID: ev.id, ReviewID: ev.review,
				Added: ev.added, Bounced: ev.bounced}, Dup: ev.dup, Action: action})
			actions = append(actions, action)
		}
		if m.Inbound != nil {
			keep = append(keep, i)
			outcomes[i] = m.Ignored
			if outcomes[i] == "" && m.Outcome != nil {
				outcomes[i] = m.Outcome(actions)
			}
		}
	}
	if err := s.insertInbound(ctx, tx, msgs, keep, outcomes, out); err != nil {
		return nil, err
	}
	for i, j := range dupOf {
		out[i].InboundID = out[j].InboundID
	}
	if err := s.flushAudit(bctx, tx, buf); err != nil {
		return nil, err
	}
	return out, nil
}

// inboundIDs calls fn with the id of each kept message whose SHA-256 is among shas.
func (s *Store) inboundIDs(ctx context.Context, tx *sql.Tx, shas [][]byte, fn func(sha []byte, id int64)) error {
	for start := 0; start < len(shas); start += batchRowsMax {
		part := shas[start:min(start+batchRowsMax, len(shas))]
		args := make([]any, len(part))
		for i, h := range part {
			args[i] = h
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT sha256, id FROM inbound_messages WHERE sha256 IN (`+inList(len(part))+`)`), args...)
		if err != nil {
			return mapErr(err)
		}
		for rows.Next() {
			var h []byte
			var id int64
			if err := rows.Scan(&h, &id); err != nil {
				rows.Close()
				return err
			}
			fn(h, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// batchEventDups marks the events whose (workspace, via, external id) is on file already or
// came earlier in the batch.
func (s *Store) batchEventDups(ctx context.Context, tx *sql.Tx, evs []*batchEvent) error {
	type source struct {
		ws  int64
		via string
	}
	type key struct {
		source
		ext string
	}
	ids := map[source][]any{}
	var order []source
	for _, ev := range evs {
		if e := ev.c.Event; e.ExternalID != "" {
			src := source{e.WorkspaceID, e.Via}
			if _, ok := ids[src]; !ok {
				order = append(order, src)
			}
			ids[src] = append(ids[src], e.ExternalID)
		}
	}
	seen := map[key]bool{}
	for _, src := range order {
		all := ids[src]
		for start := 0; start < len(all); start += batchRowsMax {
			part := all[start:min(start+batchRowsMax, len(all))]
			rows, err := tx.QueryContext(ctx, s.q(`SELECT external_id FROM events WHERE workspace_id = ? AND via = ?
				AND external_id IN (`+inList(len(part))+`)`), append([]any{src.ws, src.via}, part...)...)
			if err != nil {
				return fmt.Errorf("find provider events recorded before: %w", mapErr(err))
			}
			for rows.Next() {
				var ext string
				if err := rows.Scan(&ext); err != nil {
					rows.Close()
					return err
				}
				seen[key{src, ext}] = true
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
	}
	for _, ev := range evs {
		if e := ev.c.Event; e.ExternalID != "" {
			k := key{source{e.WorkspaceID, e.Via}, e.ExternalID}
			ev.dup = seen[k]
			seen[k] = true
		}
	}
	return nil
}

// batchSoftBounces decides each soft bounce's action from the address's soft bounces before
// it: those on file (one query per workspace) and those earlier in the batch.
func (s *Store) batchSoftBounces(ctx context.Context, tx *sql.Tx, evs []*batchEvent) error {
	type addrKey struct {
		ws   int64
		addr string
	}
	since := map[int64]time.Time{}
	addrs := map[int64][]any{}
	have := map[addrKey]bool{}
	var order []int64
	for _, ev := range evs {
		e := ev.c.Event
		if ev.dup || ev.c.Soft == nil {
			continue
		}
		if _, ok := since[e.WorkspaceID]; !ok {
			order = append(order, e.WorkspaceID)
			since[e.WorkspaceID] = ev.c.Soft.Since
		}
		if ev.c.Soft.Since.Before(since[e.WorkspaceID]) {
			since[e.WorkspaceID] = ev.c.Soft.Since
		}
		if k := (addrKey{e.WorkspaceID, e.Address}); !have[k] {
			have[k] = true
			addrs[e.WorkspaceID] = append(addrs[e.WorkspaceID], e.Address)
		}
	}
	if len(order) == 0 {
		return nil
	}
	prior := map[addrKey][]time.Time{}
	for _, ws := range order {
		all := addrs[ws]
		for start := 0; start < len(all); start += batchRowsMax {
			part := all[start:min(start+batchRowsMax, len(all))]
			rows, err := tx.QueryContext(ctx, s.q(`SELECT address, at FROM events WHERE workspace_id = ? AND kind = 'bounced'
				AND NOT hard AND at >= ? AND address IN (`+inList(len(part))+`)`), append([]any{ws, since[ws].UTC()}, part...)...)
			if err != nil {
				return fmt.Errorf("count soft bounces: %w", mapErr(err))
			}
			for rows.Next() {
				var a string
				var t time.Time
				if err := rows.Scan(&a, &t); err != nil {
					rows.Close()
					return err
				}
				prior[addrKey{ws, a}] = append(prior[addrKey{ws, a}], t)
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
	}
	for _, ev := range evs {
		if ev.dup {
			continue
		}
		e := &ev.c.Event
		k := addrKey{e.WorkspaceID, e.Address}
		if soft := ev.c.Soft; soft != nil {
			n := 0
			for _, t := range prior[k] {
				if !t.Before(soft.Since) {
					n++
				}
			}
			action, note, sup := soft.Decide(n)
			e.Action = action
			if !sup {
				ev.c.Suppress = nil
			} else {
				ev.c.Suppress = slices.Clone(ev.c.Suppress)
				for i := range ev.c.Suppress {
					ev.c.Suppress[i].Note = note
				}
			}
		}
		if e.Kind == bounce.KindBounced && !e.Hard && have[k] {
			prior[k] = append(prior[k], e.At)
		}
	}
	return nil
}

// batchInsertEvents writes the events that are not duplicates, with ids taken first.
func (s *Store) batchInsertEvents(ctx context.Context, tx *sql.Tx, evs []*batchEvent) error {
	var write []*batchEvent
	for _, ev := range evs {
		if !ev.dup {
			write = append(write, ev)
		}
	}
	if len(write) == 0 {
		return nil
	}
	ids, err := s.tableIDs(ctx, tx, "events", len(write))
	if err != nil {
		return err
	}
	const cols = 16
	per := batchRows(cols)
	for start := 0; start < len(write); start += per {
		part := write[start:min(start+per, len(write))]
		args := make([]any, 0, len(part)*cols)
		for k, ev := range part {
			ev.id = ids[start+k]
			e := ev.c.Event
			var contactID sql.NullInt64
			if e.ContactID != 0 {
				contactID = sql.NullInt64{Int64: e.ContactID, Valid: true}
			}
			args = append(args, ev.id, e.WorkspaceID, e.CampaignID, contactID, e.Kind, e.At.UTC(), e.Reason, e.Hard, e.Status,
				e.Via, e.ExternalID, e.Address, e.TransactionalID, e.Detail, e.Action, ev.inbound)
		}
		res, err := tx.ExecContext(ctx, s.q(valuesSQL(`INSERT INTO events (id, workspace_id, campaign_id, contact_id, kind, at,
			reason, hard, status, via, external_id, address, transactional_id, detail, action, inbound_id)`, cols, len(part), `ON CONFLICT DO NOTHING`)), args...)
		if err != nil {
			return fmt.Errorf("record events: %w", mapErr(err))
		}
		if n, err := res.RowsAffected(); err == nil && n != int64(len(part)) {
			return fmt.Errorf("record events: %d of %d were recorded meanwhile by another writer: try again", int64(len(part))-n, len(part))
		}
	}
	return nil
}

// batchMarkBounced sets the active contacts of hard bounces to bounced (the first bounce of
// a contact in the batch changes it, the later ones find it bounced), with their status
// change rows.
func (s *Store) batchMarkBounced(ctx context.Context, tx *sql.Tx, evs []*batchEvent, at time.Time) error {
	type ck struct{ ws, id int64 }
	byWS := map[int64][]any{}
	var order []int64
	seen := map[ck]bool{}
	for _, ev := range evs {
		e := ev.c.Event
		if ev.dup || !ev.c.MarkBounced || e.ContactID == 0 {
			continue
		}
		if _, ok := byWS[e.WorkspaceID]; !ok {
			order = append(order, e.WorkspaceID)
		}
		if k := (ck{e.WorkspaceID, e.ContactID}); !seen[k] {
			seen[k] = true
			byWS[e.WorkspaceID] = append(byWS[e.WorkspaceID], e.ContactID)
		}
	}
	if len(order) == 0 {
		return nil
	}
	status := map[ck]string{}
	for _, ws := range order {
		all := byWS[ws]
		for start := 0; start < len(all); start += batchRowsMax {
			part := all[start:min(start+batchRowsMax, len(all))]
			rows, err := tx.QueryContext(ctx, s.q(`SELECT id, status FROM contacts WHERE workspace_id = ? AND id IN (`+
				inList(len(part))+`) ORDER BY id`+s.sql.forUpdate), append([]any{ws}, part...)...)
			if err != nil {
				return fmt.Errorf("read the contacts' statuses: %w", mapErr(err))
			}
			for rows.Next() {
				var id int64
				var st string
				if err := rows.Scan(&id, &st); err != nil {
					rows.Close()
					return err
				}
				status[ck{ws, id}] = st
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
	}
	changed := map[int64][]any{}
	var changes []*batchEvent
	for _, ev := range evs {
		e := ev.c.Event
		if ev.dup || !ev.c.MarkBounced || e.ContactID == 0 {
			continue
		}
		k := ck{e.WorkspaceID, e.ContactID}
		if st, ok := status[k]; ok && st == string(contact.StatusActive) {
			ev.bounced, ev.from = true, st
			status[k] = string(contact.StatusBounced)
			changed[e.WorkspaceID] = append(changed[e.WorkspaceID], e.ContactID)
			changes = append(changes, ev)
		}
	}
	for _, ws := range order {
		all := changed[ws]
		for start := 0; start < len(all); start += batchRowsMax {
			part := all[start:min(start+batchRowsMax, len(all))]
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE contacts SET status = ?, updated_at = ? WHERE workspace_id = ? AND id IN (`+
				inList(len(part))+`)`), append([]any{string(contact.StatusBounced), at, ws}, part...)...); err != nil {
				return fmt.Errorf("mark contacts bounced: %w", mapErr(err))
			}
		}
	}
	const cols = 7
	per := batchRows(cols)
	for start := 0; start < len(changes); start += per {
		part := changes[start:min(start+per, len(changes))]
		args := make([]any, 0, len(part)*cols)
		for _, ev := range part {
			e := ev.c.Event
			args = append(args, e.WorkspaceID, e.ContactID, ev.from, string(contact.StatusBounced), bounce.RecordedBy, bouncedWhy(e.Reason), at)
		}
		if _, err := tx.ExecContext(ctx, s.q(valuesSQL(`INSERT INTO contact_status_changes (workspace_id, contact_id, from_status,
			to_status, changed_by, reason, changed_at)`, cols, len(part), ``)), args...); err != nil {
			return fmt.Errorf("record status changes: %w", mapErr(err))
		}
	}
	return nil
}

// batchSuppressions adds the events' do-not-contact entries, one change number per
// workspace: an entry already active, or added earlier in the batch, is not added again.
func (s *Store) batchSuppressions(ctx context.Context, tx *sql.Tx, evs []*batchEvent, at time.Time) error {
	type owned struct {
		ev *batchEvent
		e  Suppression
	}
	byWS := map[int64][]owned{}
	var order []int64
	for _, ev := range evs {
		if ev.dup || len(ev.c.Suppress) == 0 {
			continue
		}
		ws := ev.c.Event.WorkspaceID
		if _, ok := byWS[ws]; !ok {
			order = append(order, ws)
		}
		for _, e := range ev.c.Suppress {
			byWS[ws] = append(byWS[ws], owned{ev, e})
		}
	}
	for _, ws := range order {
		all := byWS[ws]
		seq, err := s.nextSuppressionSeq(ctx, tx, ws)
		if err != nil {
			return err
		}
		entries := make([]Suppression, len(all))
		for i, o := range all {
			entries[i] = o.e
		}
		ids, err := s.insertSuppressionRows(ctx, tx, ws, seq, at, entries)
		if err != nil {
			return err
		}
		var added []Suppression
		for i, id := range ids {
			if id == 0 {
				continue
			}
			e := all[i].e
			e.ID, e.WorkspaceID, e.RecordedAt, e.AddedSeq = id, ws, at, seq
			e.ReceivedAt, e.Deadline = e.ReceivedAt.UTC(), e.Deadline.UTC()
			all[i].ev.added = append(all[i].ev.added, e)
			added = append(added, e)
		}
		const cols = 6
		per := batchRows(cols)
		for start := 0; start < len(added); start += per {
			part := added[start:min(start+per, len(added))]
			args := make([]any, 0, len(part)*cols)
			for _, e := range part {
				args = append(args, ws, e.ID, "added", e.RecordedBy, suppressionAddedDetail(e), at)
			}
			if _, err := tx.ExecContext(ctx, s.q(valuesSQL(`INSERT INTO suppression_audit (workspace_id, suppression_id, action,
				actor, detail, at)`, cols, len(part), ``)), args...); err != nil {
				return fmt.Errorf("record do-not-contact audit rows: %w", mapErr(err))
			}
		}
		if err := s.enqueueWebhooks(ctx, tx, ws, "suppression.added", added, at); err != nil {
			return err
		}
	}
	return nil
}

// insertSuppressionRows inserts entries, skipping those that duplicate an active entry (or
// an earlier one of entries), and gives each entry's new id (0: not inserted).
func (s *Store) insertSuppressionRows(ctx context.Context, tx *sql.Tx, ws, seq int64, at time.Time, entries []Suppression) ([]int64, error) {
	out := make([]int64, len(entries))
	const cols = 15
	per := batchRows(cols)
	type key struct{ hash, ch, purpose, reason string }
	for start := 0; start < len(entries); start += per {
		part := entries[start:min(start+per, len(entries))]
		args := make([]any, 0, len(part)*cols)
		for _, e := range part {
			args = append(args, ws, e.Kind, e.Value, e.Hash, e.ScopeChannel, e.ScopePurpose, e.Reason, e.ChannelIn,
				e.RecordedBy, e.Note, e.ReceivedAt.UTC(), at, e.Deadline.UTC(), e.DeadlineRule, seq)
		}
		rows, err := tx.QueryContext(ctx, s.q(valuesSQL(`INSERT INTO suppressions (workspace_id, kind, value, hash, scope_channel,
			scope_purpose, reason, channel_in, recorded_by, note, received_at, recorded_at, deadline, deadline_rule, added_seq)`,
			cols, len(part), `ON CONFLICT DO NOTHING RETURNING id, hash, scope_channel, scope_purpose, reason`)), args...)
		if err != nil {
			return nil, fmt.Errorf("add do-not-contact entries: %w", mapErr(err))
		}
		ids := map[key]int64{}
		for rows.Next() {
			var id int64
			var h []byte
			var ch, p, r string
			if err := rows.Scan(&id, &h, &ch, &p, &r); err != nil {
				rows.Close()
				return nil, err
			}
			ids[key{string(h), ch, p, r}] = id
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		for k, e := range part {
			kk := key{string(e.Hash), e.ScopeChannel, e.ScopePurpose, string(e.Reason)}
			if id, ok := ids[kk]; ok {
				out[start+k] = id
				delete(ids, kk) // a later copy in the batch is the duplicate
			}
		}
	}
	return out, nil
}

// insertInbound keeps the messages keep names with their outcomes, under the ids taken for them (in out).
func (s *Store) insertInbound(ctx context.Context, tx *sql.Tx, msgs []bounce.BatchMessage, keep []int, outcomes []string, out []bounce.BatchWritten) error {
	const cols = 9
	for start := 0; start < len(keep); {
		end, size := start, 0
		for end < len(keep) && end-start < batchRows(cols) && (end == start || size+len(msgs[keep[end]].Inbound.Raw) <= batchInboundMax) {
			size += len(msgs[keep[end]].Inbound.Raw)
			end++
		}
		part := keep[start:end]
		args := make([]any, 0, len(part)*cols)
		bySHA := map[string]int{}
		for _, i := range part {
			m := msgs[i]
			in := m.Inbound
			bySHA[string(in.SHA256)] = i
			args = append(args, out[i].InboundID, in.ReceivedAt.UTC(), in.Via, len(in.Raw), in.SHA256, in.Raw, m.WorkspaceID, m.Kind, outcomes[i])
		}
		rows, err := tx.QueryContext(ctx, s.q(valuesSQL(`INSERT INTO inbound_messages (id, received_at, via, size, sha256, raw,
			workspace_id, kind, outcome)`, cols, len(part), `ON CONFLICT DO NOTHING RETURNING id, sha256`)), args...)
		if err != nil {
			return fmt.Errorf("keep the received messages: %w", mapErr(err))
		}
		n := 0
		for rows.Next() {
			var id int64
			var h []byte
			if err := rows.Scan(&id, &h); err != nil {
				rows.Close()
				return err
			}
			if i := bySHA[string(h)]; out[i].InboundID != id {
				rows.Close()
				return fmt.Errorf("keep the received messages: message %d was given id %d", out[i].InboundID, id)
			}
			n++
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if n != len(part) {
			return fmt.Errorf("keep the received messages: %d of %d were kept meanwhile by another writer: try again", len(part)-n, len(part))
		}
		start = end
	}
	return nil
}

// tableIDs takes n ids of a table's rows before they are inserted, in increasing order.
// On PostgreSQL they come from the identity's sequence (nextval, so concurrent writers
// never share one), named as a constant: pg_get_serial_sequence per row cost ~3 µs an id,
// against ~0.35 µs for nextval of a named sequence.
func (s *Store) tableIDs(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error) {
	out := make([]int64, 0, n)
	if s.sql.name == Postgres {
		seq, err := s.idSequence(ctx, tx, table)
		if err != nil {
			return nil, err
		}
		rows, err := tx.QueryContext(ctx, `SELECT nextval(`+seq+`::regclass) FROM generate_series(1, $1)`, n)
		if err != nil {
			return nil, fmt.Errorf("%s ids: %w", table, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		slices.Sort(out)
		return out, rows.Err()
	}
	var max int64 // SQLite: the writer is alone in its transaction
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&max); err != nil {
		return nil, fmt.Errorf("%s ids: %w", table, err)
	}
	for i := range n {
		out = append(out, max+1+int64(i))
	}
	return out, nil
}

// idSequence is the quoted name of the sequence of table's id (PostgreSQL), looked up once.
func (s *Store) idSequence(ctx context.Context, tx *sql.Tx, table string) (string, error) {
	if v, ok := s.idSeqs.Load(table); ok {
		return v.(string), nil
	}
	var seq sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT quote_literal(pg_get_serial_sequence($1, 'id'))`, table).Scan(&seq); err != nil {
		return "", fmt.Errorf("%s ids: %w", table, err)
	}
	if !seq.Valid {
		return "", fmt.Errorf("%s ids: the table has no id sequence", table)
	}
	s.idSeqs.Store(table, seq.String)
	return seq.String, nil
}

// bouncedWhy is the reason of a contact's change to bounced.
func bouncedWhy(reason string) string {
	if reason != "" {
		return "hard bounce (" + reason + ")"
	}
	return "hard bounce"
}

// suppressionAddedDetail is the detail of an entry's "added" audit row.
func suppressionAddedDetail(e Suppression) string {
	return fmt.Sprintf("%s scope %s, reason %s", e.Kind, suppress.Scope{Channel: e.ScopeChannel, Purpose: e.ScopePurpose}, e.Reason)
}

// bounceEventAudit is the changes of an event's audit entry.
func bounceEventAudit(e bounce.Stored, reviewID int64) []audit.Change {
	changes := []audit.Change{audit.Set("kind", e.Kind), audit.Set("action", e.Action)}
	for _, x := range []struct {
		k string
		v int64
	}{{"campaign_id", e.CampaignID}, {"contact_id", e.ContactID}, {"transactional_id", e.TransactionalID}, {"review_id", reviewID}} {
		if x.v != 0 {
			changes = append(changes, audit.Set(x.k, strconv.FormatInt(x.v, 10)))
		}
	}
	for _, x := range []struct{ k, v string }{{"reason", e.Reason}, {"status", e.Status}, {"via", e.Via}, {"external_id", e.ExternalID}} {
		if x.v != "" {
			changes = append(changes, audit.Set(x.k, x.v))
		}
	}
	return append(changes, audit.PersonalSet("address", "", e.Address))
}

// SentToContacts finds the campaign's deliveries to the contacts: the address of each, by
// contact (one query per 500 contacts).
func (s *Store) SentToContacts(ctx context.Context, ws, campaign int64, contacts []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(contacts))
	for start := 0; start < len(contacts); start += batchRowsMax {
		part := contacts[start:min(start+batchRowsMax, len(contacts))]
		args := make([]any, 0, len(part)+2)
		args = append(args, campaign, ws)
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT contact_id, address FROM deliveries WHERE campaign_id = ? AND workspace_id = ?
			AND contact_id IN (`+inList(len(part))+`)`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var a string
			if err := rows.Scan(&id, &a); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = a
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SentByMessageIDs finds, in any workspace, the campaign delivery or else the transactional
// message of each Message-ID (as SentByMessageID), by Message-ID; one query of each per 500.
func (s *Store) SentByMessageIDs(ctx context.Context, messageIDs []string) (map[string]bounce.Sent, error) {
	out := make(map[string]bounce.Sent, len(messageIDs))
	var rest []string
	for start := 0; start < len(messageIDs); start += batchRowsMax {
		part := messageIDs[start:min(start+batchRowsMax, len(messageIDs))]
		args := make([]any, len(part))
		for i, m := range part {
			args[i] = m
		}
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT message_id, workspace_id, campaign_id, contact_id, address FROM deliveries
			WHERE message_id <> '' AND message_id IN (`+inList(len(part))+`) ORDER BY workspace_id, campaign_id, contact_id`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var m string
			var v bounce.Sent
			if err := rows.Scan(&m, &v.WorkspaceID, &v.CampaignID, &v.ContactID, &v.Address); err != nil {
				rows.Close()
				return nil, err
			}
			if _, ok := out[m]; !ok {
				out[m] = v
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	for _, m := range messageIDs {
		if _, ok := out[m]; !ok {
			rest = append(rest, m)
		}
	}
	for start := 0; start < len(rest); start += batchRowsMax {
		part := rest[start:min(start+batchRowsMax, len(rest))]
		args := make([]any, len(part))
		for i, m := range part {
			args[i] = m
		}
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT t.message_id, t.workspace_id, t.id, t.address, c.id FROM transactional_sends t
			LEFT JOIN contacts c ON c.workspace_id = t.workspace_id AND c.email_canonical = LOWER(t.address)
			WHERE t.message_id <> '' AND t.message_id IN (`+inList(len(part))+`) ORDER BY t.workspace_id, t.id`), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var m string
			var v bounce.Sent
			var contactID sql.NullInt64
			if err := rows.Scan(&m, &v.WorkspaceID, &v.TransactionalID, &v.Address, &contactID); err != nil {
				rows.Close()
				return nil, err
			}
			v.ContactID = contactID.Int64
			if _, ok := out[m]; !ok {
				out[m] = v
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

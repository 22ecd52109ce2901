package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
)

const templateColumns = `id, workspace_id, name, subject, preheader, html, text, markdown, created_at, updated_at`

// CreateTemplate stores a new template; ErrConflict when the name is taken.
func (s *Store) CreateTemplate(ctx context.Context, t campaign.Template) (campaign.Template, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO templates (workspace_id, name, subject, preheader, html, text, markdown,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.WorkspaceID, t.Name, t.Subject, t.Preheader,
			t.HTML, t.Text, t.Markdown, t.CreatedAt, t.UpdatedAt)
		if err != nil {
			return mapErr(err)
		}
		t.ID = id
		return s.auditTx(ctx, tx, t.WorkspaceID, "template.create", "template", id, audit.Set("name", t.Name),
			audit.Count("bytes", len(t.HTML)+len(t.Text)+len(t.Markdown)))
	})
	if err != nil {
		return campaign.Template{}, fmt.Errorf("create template %q: %w", t.Name, err)
	}
	return t, nil
}

// UpdateTemplate rewrites a template's name and parts.
func (s *Store) UpdateTemplate(ctx context.Context, t campaign.Template) error {
	return s.execAudited(ctx, t.WorkspaceID, fmt.Sprintf("template %d", t.ID), "template.update", "template", t.ID,
		`UPDATE templates SET name = ?, subject = ?, preheader = ?, html = ?, text = ?, markdown = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`, []any{t.Name, t.Subject, t.Preheader, t.HTML, t.Text, t.Markdown, t.UpdatedAt,
			t.WorkspaceID, t.ID}, audit.Set("name", t.Name), audit.Count("bytes", len(t.HTML)+len(t.Text)+len(t.Markdown)))
}

// Template returns one template of the workspace.
func (s *Store) Template(ctx context.Context, ws, id int64) (campaign.Template, error) {
	t, err := scanTemplate(s.db.QueryRowContext(ctx, s.q(`SELECT `+templateColumns+` FROM templates
		WHERE workspace_id = ? AND id = ?`), ws, id))
	if err != nil {
		return t, fmt.Errorf("template %d: %w", id, mapErr(err))
	}
	return t, nil
}

// TemplateByName returns the workspace's template of that name.
func (s *Store) TemplateByName(ctx context.Context, ws int64, name string) (campaign.Template, error) {
	t, err := scanTemplate(s.db.QueryRowContext(ctx, s.q(`SELECT `+templateColumns+` FROM templates
		WHERE workspace_id = ? AND name = ?`), ws, name))
	if err != nil {
		return t, fmt.Errorf("template %q: %w", name, mapErr(err))
	}
	return t, nil
}

// Templates lists the workspace's templates by name.
func (s *Store) Templates(ctx context.Context, ws int64) ([]campaign.Template, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+templateColumns+` FROM templates WHERE workspace_id = ? ORDER BY name`), ws)
	out, err := collect(rows, err, scanTemplate)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	return out, nil
}

// TemplatesPage returns a page of the workspace's templates by name: at most limit of those
// whose name sorts after after ("": from the first). Names are unique in a workspace, so the
// last name of a page is the cursor of the next.
func (s *Store) TemplatesPage(ctx context.Context, ws int64, after string, limit int) ([]campaign.Template, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+templateColumns+` FROM templates WHERE workspace_id = ? AND name > ?
		ORDER BY name LIMIT ?`), ws, after, limit)
	out, err := collect(rows, err, scanTemplate)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	return out, nil
}

func scanTemplate(r rowScanner) (campaign.Template, error) {
	var t campaign.Template
	err := r.Scan(&t.ID, &t.WorkspaceID, &t.Name, &t.Subject, &t.Preheader, &t.HTML, &t.Text, &t.Markdown, &t.CreatedAt, &t.UpdatedAt)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, err
}

const campaignColumns = `id, workspace_id, name, purpose, channel, from_name, from_address, reply_to, template_id,
	subject, preheader, html, text, markdown, state, scheduled_at, rate, workers, pause_reason, created_by,
	created_at, updated_at, started_at, finished_at, local_time, ab, ab_decision, track_opens, track_clicks`

// CreateCampaign stores a new campaign with its lists (which must be the workspace's).
func (s *Store) CreateCampaign(ctx context.Context, c campaign.Campaign) (campaign.Campaign, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO campaigns (workspace_id, name, purpose, channel, from_name, from_address,
			reply_to, template_id, subject, preheader, html, text, markdown, state, scheduled_at, rate, workers, pause_reason,
			created_by, created_at, updated_at, local_time, ab, track_opens, track_clicks)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.WorkspaceID, c.Name, c.Purpose, c.Channel, c.FromName, c.FromAddress, c.ReplyTo, nullID(c.TemplateID),
			c.Subject, c.Preheader, c.HTML, c.Text, c.Markdown, string(c.State), c.ScheduledAt, c.Rate, c.Workers,
			c.PauseReason, c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.LocalTime, abJSON(c.AB), c.TrackOpens, c.TrackClicks)
		if err != nil {
			return mapErr(err)
		}
		c.ID = id
		if err := s.setCampaignLists(ctx, tx, c); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, c.WorkspaceID, "campaign.create", "campaign", id, campaignChanges(c)...)
	})
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("create campaign %q: %w", c.Name, err)
	}
	return c, nil
}

// UpdateCampaign rewrites a campaign (not its state) while its state is one of states.
func (s *Store) UpdateCampaign(ctx context.Context, c campaign.Campaign, states []campaign.State) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		args := []any{c.Name, c.Purpose, c.Channel, c.FromName, c.FromAddress, c.ReplyTo, nullID(c.TemplateID),
			c.Subject, c.Preheader, c.HTML, c.Text, c.Markdown, c.Rate, c.Workers, c.UpdatedAt, c.LocalTime,
			abJSON(c.AB), c.TrackOpens, c.TrackClicks, c.WorkspaceID, c.ID}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE campaigns SET name = ?, purpose = ?, channel = ?, from_name = ?,
			from_address = ?, reply_to = ?, template_id = ?, subject = ?, preheader = ?, html = ?, text = ?, markdown = ?,
			rate = ?, workers = ?, updated_at = ?, local_time = ?, ab = ?, track_opens = ?, track_clicks = ? WHERE workspace_id = ? AND id = ? AND state IN (`+marks(len(states))+`)`),
			append(args, stateArgs(states)...)...)
		if err != nil {
			return mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return s.campaignMissing(ctx, tx, c.WorkspaceID, c.ID)
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM campaign_lists WHERE campaign_id = ?`), c.ID); err != nil {
			return err
		}
		if err := s.setCampaignLists(ctx, tx, c); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, c.WorkspaceID, "campaign.update", "campaign", c.ID, campaignChanges(c)...)
	})
}

// campaignMissing explains an UPDATE that matched no row: no such campaign, or one whose
// state does not allow the change.
func (s *Store) campaignMissing(ctx context.Context, tx *sql.Tx, ws, id int64) error {
	var name, state string
	err := tx.QueryRowContext(ctx, s.q(`SELECT name, state FROM campaigns WHERE workspace_id = ? AND id = ?`), ws, id).Scan(&name, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("campaign %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("campaign %q is %s: %w", name, state, campaign.ErrState)
}

func (s *Store) setCampaignLists(ctx context.Context, tx *sql.Tx, c campaign.Campaign) error {
	for _, l := range c.Lists {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM lists WHERE workspace_id = ? AND id = ?`), c.WorkspaceID, l).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("list %d: %w", l, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO campaign_lists (campaign_id, list_id, workspace_id) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`), c.ID, l, c.WorkspaceID); err != nil {
			return err
		}
	}
	return nil
}

func campaignChanges(c campaign.Campaign) []audit.Change {
	lists := make([]string, len(c.Lists))
	for i, l := range c.Lists {
		lists[i] = strconv.FormatInt(l, 10)
	}
	changes := []audit.Change{audit.Set("name", c.Name), audit.Set("purpose", c.Purpose), audit.Set("lists", strings.Join(lists, ",")),
		audit.Set("from", c.FromAddress), audit.Set("template_id", strconv.FormatInt(c.TemplateID, 10)),
		audit.Set("rate", strconv.FormatFloat(c.Rate, 'f', -1, 64))}
	if c.LocalTime != "" {
		changes = append(changes, audit.Set("local_time", c.LocalTime))
	}
	if c.TrackOpens != "" {
		changes = append(changes, audit.Set("track_opens", c.TrackOpens))
	}
	if c.TrackClicks != "" {
		changes = append(changes, audit.Set("track_clicks", c.TrackClicks))
	}
	if c.AB != nil {
		changes = append(changes, audit.Count("ab_variants", len(c.AB.Variants)+1), audit.Count("ab_sample_percent", c.AB.SamplePercent),
			audit.Set("ab_metric", string(c.AB.Metric)), audit.Set("ab_wait", c.AB.Wait))
	}
	return changes
}

// Campaign returns one campaign of the workspace with its lists.
func (s *Store) Campaign(ctx context.Context, ws, id int64) (campaign.Campaign, error) {
	c, err := scanCampaign(s.db.QueryRowContext(ctx, s.q(`SELECT `+campaignColumns+` FROM campaigns
		WHERE workspace_id = ? AND id = ?`), ws, id))
	if err != nil {
		return c, fmt.Errorf("campaign %d: %w", id, mapErr(err))
	}
	all, err := s.campaignLists(ctx, ws, id)
	c.Lists = all[id]
	return c, err
}

// CampaignState returns a campaign's state.
func (s *Store) CampaignState(ctx context.Context, ws, id int64) (campaign.State, error) {
	var st string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT state FROM campaigns WHERE workspace_id = ? AND id = ?`), ws, id).Scan(&st)
	if err != nil {
		return "", fmt.Errorf("campaign %d: %w", id, mapErr(err))
	}
	return campaign.State(st), nil
}

// Campaigns lists the workspace's campaigns, newest first.
func (s *Store) Campaigns(ctx context.Context, ws int64) ([]campaign.Campaign, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+campaignColumns+` FROM campaigns WHERE workspace_id = ? ORDER BY id DESC`), ws)
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	defer rows.Close()
	var out []campaign.Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	lists, err := s.campaignLists(ctx, ws, 0)
	for i := range out {
		out[i].Lists = lists[out[i].ID]
	}
	return out, err
}

// campaignLists maps the workspace's campaigns (or one, when id is not 0) to their lists.
func (s *Store) campaignLists(ctx context.Context, ws, id int64) (map[int64][]int64, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT campaign_id, list_id FROM campaign_lists
		WHERE workspace_id = ? AND (? = 0 OR campaign_id = ?) ORDER BY campaign_id, list_id`), ws, id, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var c, l int64
		if err := rows.Scan(&c, &l); err != nil {
			return nil, err
		}
		out[c] = append(out[c], l)
	}
	return out, rows.Err()
}

func scanCampaign(r rowScanner) (campaign.Campaign, error) {
	var c campaign.Campaign
	var tmpl nullInt
	var sched, started, finished nullTime
	var state, ab, decision string
	err := r.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Purpose, &c.Channel, &c.FromName, &c.FromAddress, &c.ReplyTo, &tmpl,
		&c.Subject, &c.Preheader, &c.HTML, &c.Text, &c.Markdown, &state, &sched, &c.Rate, &c.Workers, &c.PauseReason,
		&c.CreatedBy, &c.CreatedAt, &c.UpdatedAt, &started, &finished, &c.LocalTime, &ab, &decision, &c.TrackOpens, &c.TrackClicks)
	if err == nil {
		err = scanAB(&c, ab, decision)
	}
	c.TemplateID, c.State = tmpl.Int64, campaign.State(state)
	c.ScheduledAt, c.StartedAt, c.FinishedAt = sched.ptr(), started.ptr(), finished.ptr()
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// TransitionCampaign moves a campaign from one of t.From to t.To with its audit entry
// (campaign.ACTION); campaign.ErrState when it is in none of them.
func (s *Store) TransitionCampaign(ctx context.Context, t campaign.Transition) error {
	var started, finished any
	switch t.To {
	case campaign.Sending:
		started = t.At
	case campaign.Finished, campaign.Cancelled:
		finished = t.At
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var from string
		err := tx.QueryRowContext(ctx, s.q(`SELECT state FROM campaigns WHERE workspace_id = ? AND id = ?`+s.sql.forUpdate),
			t.WorkspaceID, t.ID).Scan(&from)
		if err != nil {
			return fmt.Errorf("campaign %d: %w", t.ID, mapErr(err))
		}
		args := []any{string(t.To), t.Reason, t.At, started, finished, t.ScheduledAt, t.WorkspaceID, t.ID}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE campaigns SET state = ?, pause_reason = ?, updated_at = ?,
			started_at = COALESCE(started_at, ?), finished_at = COALESCE(?, finished_at),
			scheduled_at = COALESCE(?, scheduled_at)
			WHERE workspace_id = ? AND id = ? AND state IN (`+marks(len(t.From))+`)`), append(args, stateArgs(t.From)...)...)
		if err != nil {
			return mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return s.campaignMissing(ctx, tx, t.WorkspaceID, t.ID)
		}
		if t.AB != nil {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE campaigns SET ab = ? WHERE workspace_id = ? AND id = ?`),
				abJSON(t.AB), t.WorkspaceID, t.ID); err != nil {
				return err
			}
		}
		if c := t.Content; c != nil {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE campaigns SET subject = ?, preheader = ?, html = ?, text = ?, markdown = ?
				WHERE workspace_id = ? AND id = ?`), c.Subject, c.Preheader, c.HTML, c.Text, c.Markdown, t.WorkspaceID, t.ID); err != nil {
				return err
			}
		}
		changes := []audit.Change{audit.Diff("state", from, string(t.To))}
		if t.Reason != "" {
			changes = append(changes, audit.Set("reason", t.Reason))
		}
		for _, k := range sortedKeys(t.Counts) {
			changes = append(changes, audit.Count(k, t.Counts[k]))
		}
		return s.auditTx(ctx, tx, t.WorkspaceID, "campaign."+t.Action, "campaign", t.ID, changes...)
	})
}

// FinishCampaign moves a sending campaign with nothing queued or in flight to finished.
func (s *Store) FinishCampaign(ctx context.Context, ws, id int64, at time.Time) (bool, error) {
	done := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var open int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM deliveries WHERE campaign_id = ? AND workspace_id = ?
			AND state IN ('queued', 'held', 'claimed', 'sending')`), id, ws).Scan(&open); err != nil || open > 0 {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE campaigns SET state = 'finished', finished_at = ?, updated_at = ?
			WHERE workspace_id = ? AND id = ? AND state = 'sending'`), at, at, ws, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		done = true
		counts, err := deliveryCountsTx(ctx, s, tx, ws, id)
		if err != nil {
			return err
		}
		changes := []audit.Change{audit.Diff("state", "sending", "finished")}
		for _, st := range campaign.DeliveryStates {
			if n := counts.ByState[st]; n > 0 {
				changes = append(changes, audit.Count(string(st), n))
			}
		}
		return s.auditTx(ctx, tx, ws, "campaign.finish", "campaign", id, changes...)
	})
	return done, err
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func stateArgs(states []campaign.State) []any {
	out := make([]any, len(states))
	for i, s := range states {
		out[i] = string(s)
	}
	return out
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// SendingCampaigns lists the campaigns of every workspace that are sending (a starting
// server makes sure each has its send jobs).
func (s *Store) SendingCampaigns(ctx context.Context) ([]campaign.Campaign, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+campaignColumns+` FROM campaigns WHERE state = 'sending' ORDER BY id`))
	out, err := collect(rows, err, scanCampaign)
	if err != nil {
		return nil, fmt.Errorf("list sending campaigns: %w", err)
	}
	return out, nil
}

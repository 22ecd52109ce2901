package campaign

import (
	"context"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/campaign/localtime"
)

// SettingTimeZone is the workspace's default time zone (IANA) for campaigns sent at each
// recipient's local time, for recipients with neither a timezone attribute nor a known
// country; unset, UTC.
const SettingTimeZone = "campaign.timezone"

// placeLocal sets each queued delivery's next attempt to the next moment the campaign's
// local time comes in the recipient's zone (after from), a page of rows per transaction.
// It runs before the campaign moves to sending, so no worker claims a row early; a start
// that breaks off here is started again from the snapshot.
func (s *Service) placeLocal(ctx context.Context, c Campaign, from time.Time) error {
	clock, err := localtime.ParseClock(c.LocalTime)
	if err != nil {
		return fmt.Errorf("%w: campaign %q: local time: %v", ErrInvalid, c.Name, err)
	}
	def := time.UTC
	if s.settings != nil {
		name, ok, err := s.settings.Setting(ctx, c.WorkspaceID, SettingTimeZone)
		if err != nil {
			return fmt.Errorf("read setting %s: %w", SettingTimeZone, err)
		}
		if ok && name != "" {
			if def, err = time.LoadLocation(name); err != nil {
				return fmt.Errorf("%w: setting %s: %q is not an IANA time zone", ErrInvalid, SettingTimeZone, name)
			}
		}
	}
	zones := localtime.NewResolver(def)
	var after int64
	for {
		page, err := s.st.QueuedZones(ctx, c.WorkspaceID, c.ID, after, s.opts.SnapshotRows)
		if err != nil || len(page) == 0 {
			return err
		}
		due := make([]Due, len(page))
		for i, z := range page {
			loc, _ := zones.Zone(z.TimeZone, z.Country)
			due[i] = Due{ContactID: z.ContactID, At: clock.Next(from, loc)}
		}
		if err := s.st.SetNextAttempts(ctx, c.WorkspaceID, c.ID, due); err != nil {
			return err
		}
		after = page[len(page)-1].ContactID
	}
}

package app

import (
	"context"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/campaign"
)

// MarkSent records a started campaign's deliveries as sent, as the send workers would
// (Message-ID m<i>@bench.example), without sending: `clearlist bench bounce` needs a sent
// campaign to bounce. It returns the recipients.
func (b BenchSeed) MarkSent(ctx context.Context, ws, id int64) ([]campaign.Recipient, error) {
	var all []campaign.Recipient
	now := time.Now().UTC()
	for {
		got, err := b.st.ClaimCampaignDeliveries(ctx, ws, id, "bench-bounce", 5000, now)
		if err != nil || len(got) == 0 {
			return all, err
		}
		outs := make([]campaign.Outcome, 0, len(got))
		for i, r := range got {
			outs = append(outs, campaign.Outcome{ContactID: r.ContactID, State: campaign.Sent,
				MessageID: fmt.Sprintf("m%d@bench.example", len(all)+i), Attempted: true, At: now})
		}
		if err := b.st.RecordOutcomes(ctx, ws, id, "bench-bounce", outs); err != nil {
			return all, err
		}
		all = append(all, got...)
	}
}

// VERPKey returns the workspace's VERP signing key (made the first time).
func (b BenchSeed) VERPKey(ctx context.Context, ws int64) ([]byte, error) {
	return b.st.SigningKey(ctx, ws, bounce.VERPKeyName)
}

package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// Seeder is what the benchmarks write straight to the database to seed a fresh workspace
// (faster than the services, and without their audit entries), and the plain single-table
// insert they compare the import with. The store implements it. It is not for anything
// else: commands and handlers call the services.
type Seeder interface {
	// AddAttribute declares an attribute of the workspace.
	AddAttribute(ctx context.Context, ws int64, at contact.Attribute) error
	// AppendConsent appends an entry to the consent ledger.
	AppendConsent(ctx context.Context, e consent.Entry) (consent.Entry, error)
	// EachContact calls fn with every contact of the workspace that f lets through.
	EachContact(ctx context.Context, ws int64, f store.ContactFilter, fn func(contact.Contact) error) error
	// PlainBulkInsert bulk-inserts rows of cols text columns into a plain table: the
	// yardstick of `clearlist bench import`.
	PlainBulkInsert(ctx context.Context, cols int, next func() ([]any, error)) (int, error)
	// ClaimCampaignDeliveries claims up to limit queued deliveries of a started campaign.
	ClaimCampaignDeliveries(ctx context.Context, ws, id int64, claim string, limit int, at time.Time) ([]campaign.Recipient, error)
	// RecordOutcomes records what became of claimed deliveries.
	RecordOutcomes(ctx context.Context, ws, id int64, claim string, outs []campaign.Outcome) error
	// SigningKey returns a named signing key of the workspace (made the first time).
	SigningKey(ctx context.Context, ws int64, name string) ([]byte, error)
}

// seeder is the opened App's database as the benchmarks' Seeder.
func seeder(a *app.App) Seeder { return a.BenchStore() }

// ScratchDSN makes an empty database next to the one dsn names, for benchmarks (see
// store.ScratchDSN); the returned function removes it again.
func ScratchDSN(ctx context.Context, dsn, dir, prefix string) (string, func() error, error) {
	return store.ScratchDSN(ctx, dsn, dir, prefix)
}

// markSent records a started campaign's deliveries as sent, as the send workers would
// (Message-ID m<i>@bench.example), without sending: `clearlist bench bounce` needs a sent
// campaign to bounce. It returns the recipients.
func markSent(ctx context.Context, st Seeder, ws, id int64) ([]campaign.Recipient, error) {
	var all []campaign.Recipient
	now := time.Now().UTC()
	for {
		got, err := st.ClaimCampaignDeliveries(ctx, ws, id, "bench-bounce", 5000, now)
		if err != nil || len(got) == 0 {
			return all, err
		}
		outs := make([]campaign.Outcome, 0, len(got))
		for i, r := range got {
			outs = append(outs, campaign.Outcome{ContactID: r.ContactID, State: campaign.Sent,
				MessageID: fmt.Sprintf("m%d@bench.example", len(all)+i), Attempted: true, At: now})
		}
		if err := st.RecordOutcomes(ctx, ws, id, "bench-bounce", outs); err != nil {
			return all, err
		}
		all = append(all, got...)
	}
}

// verpKey returns the workspace's VERP signing key (made the first time).
func verpKey(ctx context.Context, st Seeder, ws int64) ([]byte, error) {
	return st.SigningKey(ctx, ws, bounce.VERPKeyName)
}

// readySender readies the workspace's campaigns for `clearlist bench send|bounce`: a sender
// identity and postal address for the footer, and no DNS look-ups in the sender pre-flight
// (the bench's sender domain is made up and its relay is a sink on this machine).
func readySender(ctx context.Context, a *app.App, ws int64) error {
	for name, v := range map[string]string{campaign.SettingSenderName: "clearlist bench",
		campaign.SettingPostalAddress: "1 Bench Street, 10115 Berlin, Germany"} {
		if err := a.Workspaces.SetSetting(ctx, ws, name, v); err != nil {
			return err
		}
	}
	a.OfflineSender("http://127.0.0.1:8080") // the links' base: nobody follows them here
	return nil
}

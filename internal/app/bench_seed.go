package app

import (
	"context"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// BenchSeed is the benchmarks' (package bench) door to the database: what they write to
// seed a fresh workspace, and the plain single-table insert they compare the import with.
// It is not for anything else: commands and handlers call the services.
type BenchSeed struct{ st *store.Store }

// BenchSeed returns the benchmarks' door to the database.
func (a *App) BenchSeed() BenchSeed { return BenchSeed{st: a.st} }

// AddAttribute declares an attribute of the workspace.
func (b BenchSeed) AddAttribute(ctx context.Context, ws int64, at contact.Attribute) error {
	return b.st.AddAttribute(ctx, ws, at)
}

// AppendConsent appends an entry to the consent ledger.
func (b BenchSeed) AppendConsent(ctx context.Context, e consent.Entry) (consent.Entry, error) {
	return b.st.AppendConsent(ctx, e)
}

// EachContact calls fn with every contact of the workspace.
func (b BenchSeed) EachContact(ctx context.Context, ws int64, fn func(contact.Contact) error) error {
	return b.st.EachContact(ctx, ws, store.ContactFilter{}, fn)
}

// PlainBulkInsert bulk-inserts rows of cols text columns into a plain table: the yardstick
// of `clearlist bench import`.
func (b BenchSeed) PlainBulkInsert(ctx context.Context, cols int, next func() ([]any, error)) (int, error) {
	return b.st.PlainBulkInsert(ctx, cols, next)
}

// ScratchDSN makes an empty database next to the one dsn names, for benchmarks (see
// store.ScratchDSN); the returned function removes it again.
func ScratchDSN(ctx context.Context, dsn, dir, prefix string) (string, func() error, error) {
	return store.ScratchDSN(ctx, dsn, dir, prefix)
}

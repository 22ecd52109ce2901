package report_test

import (
	"context"
	"io"
	"testing"

	"github.com/clearlist/clearlist/internal/campaign/report"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/track"
)

// BenchmarkReport: the report's queries over a finished campaign of 5,000 recipients on
// SQLite (half of them opened): the summary, the per-domain and per-hour breakdowns, and a
// whole bucket exported as CSV.
func BenchmarkReport(b *testing.B) {
	st := storetest.OpenSQLite(b)
	e := newEnvTB(b, st, 4900, 100)
	ctx := context.Background()
	for i, id := range e.ids {
		if i%2 == 0 {
			if err := st.RecordEvent(ctx, track.Event{Workspace: e.ws, Campaign: e.id, Contact: id, Kind: track.EventOpen, At: e.at}); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, bc := range []struct {
		name string
		fn   func() error
	}{
		{"summary", func() error { _, err := e.svc.Summary(ctx, e.ws, e.id); return err }},
		{"domains", func() error { _, err := e.svc.Domains(ctx, e.ws, e.id); return err }},
		{"hours", func() error { _, err := e.svc.Hours(ctx, e.ws, e.id); return err }},
		{"export-sent-csv", func() error { return e.svc.Export(ctx, e.ws, e.id, report.Sent, "csv", io.Discard) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := bc.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

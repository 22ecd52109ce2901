package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// BenchmarkAuditedWrite measures an API-style write on SQLite (a contact created with its
// source and a list, as POST /api/v1/contacts does), with the audit entry (actor, keyed
// hashes of the e-mail and phone, chain link) and without it, one writer.
func BenchmarkAuditedWrite(b *testing.B) {
	for _, on := range []bool{true, false} {
		b.Run(fmt.Sprintf("audit=%v", on), func(b *testing.B) {
			st := storetest.OpenSQLite(b)
			store.SetAuditOff(st, !on)
			ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.Token, ID: "1", Name: "crm", Role: "admin", RequestID: "r"})
			ws, _ := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
			src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: ws.ID, Type: "api"})
			if err != nil {
				b.Fatal(err)
			}
			l, err := st.CreateList(ctx, contact.List{WorkspaceID: ws.ID, Name: "news"})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				email := fmt.Sprintf("p%d@example.com", i)
				if _, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: ws.ID, Email: email, EmailCanonical: email,
					Phone: "+49151" + fmt.Sprint(1000000+i), FirstSourceID: src.ID, Attrs: map[string]any{"first_name": "Ann"}},
					[]int64{l.ID}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}

package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
)

// registryStream writes n registry lines ("AAA,NNNNNNN") with a bad line every 997th,
// streamed through a pipe as a large download would be.
func registryStream(n int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		var b strings.Builder
		for i := range n {
			if i%997 == 996 {
				b.WriteString("12,34\n")
			} else {
				num := benchNumber(i)
				b.WriteString(num[2:5] + "," + num[5:] + "\n")
			}
			if b.Len() > 64<<10 {
				io.WriteString(pw, b.String())
				b.Reset()
			}
		}
		io.WriteString(pw, b.String())
		pw.Close()
	}()
	return pr
}

// TestImportRegistry: a full file streams in with its bad lines reported by number; a change
// file's deletions end the registry's entries only — a person's own request for the same
// number stays.
func TestImportRegistry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		ws := a.Workspace.ID
		const n = 12000
		rep, err := a.Suppressions.ImportRegistry(ctx, ws, registryStream(n), suppress.RegistryImportOptions{Name: "full", Fetched: time.Now().AddDate(0, 0, -2)})
		if err != nil {
			t.Fatal(err)
		}
		bad := n / 997
		if rep.Added != n-bad || len(rep.Errors) != bad || rep.Errors[0].Row != 997 || rep.Stale {
			t.Fatalf("full file: added %d, %d errors (first %+v), stale %v; want %d, %d", rep.Added, len(rep.Errors), rep.Errors[0], rep.Stale, n-bad, bad)
		}
		suppressOne(t, a, ws, suppress.Intake{Value: benchNumber(1), Reason: "request-phone"})
		change := fmt.Sprintf("%s,D\n%s,D\n%s,A\n", benchNumber(1)[2:], benchNumber(2)[2:], benchNumber(n + 5)[2:])
		rep, err = a.Suppressions.ImportRegistry(ctx, ws, strings.NewReader(change), suppress.RegistryImportOptions{Name: "change"})
		if err != nil || rep.Removed != 2 || rep.Added != 1 {
			t.Fatalf("change file: %+v, %v", rep, err)
		}
		checkContactable(t, a, ws, benchNumber(1), "phone", "", false) // her own request stands
		checkContactable(t, a, ws, benchNumber(2), "phone", "", true)
		checkContactable(t, a, ws, benchNumber(n+5), "phone", "", false)
		checkContactable(t, a, ws, benchNumber(n-1), "sms", "", false)
		if _, err := a.Suppressions.ImportRegistry(ctx, ws, strings.NewReader(strings.Repeat("garbage line\n", 2000)), suppress.RegistryImportOptions{}); err == nil || !strings.Contains(err.Error(), "too many bad lines") {
			t.Fatalf("a file of garbage: %v", err)
		}
		old, err := a.Suppressions.ImportRegistry(ctx, ws, strings.NewReader(benchNumber(n + 9)[2:]+"\n"), suppress.RegistryImportOptions{Fetched: time.Now().AddDate(0, -2, 0)})
		if err != nil || !old.Stale {
			t.Fatalf("a two-month-old file is not flagged stale: %+v, %v", old, err)
		}
	})
}

// TestRegistryWebhookSummary: a registry file reaches a CRM as one summary event per batch
// with the id range to page through, not as every number.
func TestRegistryWebhookSummary(t *testing.T) {
	a := openApp(t, storetest.SQLiteDSN(t))
	ctx := context.Background()
	h, err := a.Webhooks.Create(ctx, a.Workspace.ID, "http://127.0.0.1:1/crm")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Suppressions.ImportRegistry(ctx, a.Workspace.ID, registryStream(7000), suppress.RegistryImportOptions{Name: "212.txt"}); err != nil {
		t.Fatal(err)
	}
	ds, err := a.Webhooks.Log(ctx, a.Workspace.ID, h.ID, 10)
	if err != nil || len(ds) != 2 { // batches of 5,000
		t.Fatalf("deliveries = %d, %v", len(ds), err)
	}
	for _, d := range ds {
		if d.Event != "suppression.bulk_added" || !strings.Contains(d.Body, `"first_id":`) || strings.Contains(d.Body, "+1") {
			t.Fatalf("delivery %s: %s", d.Event, d.Body)
		}
	}
}

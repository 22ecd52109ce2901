package bench

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestBenchSmall runs the import benchmark and the eligibility setup at a tiny size on both
// engines: every row is imported, and the API target answers as the bare one does.
func TestBenchSmall(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			dir := t.TempDir()
			a, err := app.Open(ctx, config.Config{DB: e.DSN(t), Workspace: "default", LogLevel: "error", DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			res, err := Import(ctx, a, 300, dir, ImportOptions{}, func(string) {})
			if err != nil || res.Imported != 300 || res.Engine != a.Dialect() {
				t.Fatalf("Import = %+v, %v", res, err)
			}
			c, err := app.Open(ctx, config.Config{DB: e.DSN(t), Workspace: "default", LogLevel: "error", DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			res, err = Import(ctx, c, 300, t.TempDir(), ImportOptions{Consent: true}, func(string) {})
			if err != nil || res.Imported != 300 || res.ConsentEntries != 600 || !res.ChainIntact {
				t.Fatalf("Import with consent = %+v, %v", res, err)
			}

			b, err := app.Open(ctx, config.Config{DB: e.DSN(t), Workspace: "default", LogLevel: "error", DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			elig, bare, stop, err := EligibilitySetup(ctx, b, 20, 5, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			if len(elig.URLs) != 20 || len(bare.URLs) != 20 || elig.Bearer == "" {
				t.Fatalf("targets: %d and %d URLs, bearer %q", len(elig.URLs), len(bare.URLs), elig.Bearer)
			}
			for i, want := range map[int]bool{0: true, 19: false} {
				req, _ := http.NewRequestWithContext(ctx, "GET", elig.URLs[i], nil)
				req.Header.Set("Authorization", "Bearer "+elig.Bearer)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var got struct{ Allowed bool }
				err = json.NewDecoder(resp.Body).Decode(&got)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || got.Allowed != want {
					t.Errorf("%s: %d allowed=%v (%v); want allowed=%v", elig.URLs[i], resp.StatusCode, got.Allowed, err, want)
				}
			}
			p, err := WriteTarget(dir, elig)
			if err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("target file: %v, %v", fi, err)
			}
		})
	}
}

func TestNumberDistinct(t *testing.T) {
	seen := map[string]bool{}
	for i := range 100000 {
		n := Number(i)
		if seen[n] || len(n) != 12 {
			t.Fatalf("Number(%d) = %s", i, n)
		}
		seen[n] = true
	}
}

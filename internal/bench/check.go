package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/suppress"
)

// Number is the i-th synthetic US number: area and exchange codes 200-999, so every
// one is a valid NANP number and the first 6.4 billion are distinct.
func Number(i int) string {
	area, exch, line := 200+i%800, 200+(i/800)%800, (i/640000)%10000
	return fmt.Sprintf("+1%03d%03d%04d", area, exch, line)
}

// CheckSetup puts entries synthetic numbers on the workspace's do-not-contact list
// through the real registry import, loads them into the screening index, starts the real
// server and a bare net/http server whose handler does one map lookup, and returns the two
// targets (urls numbers, half of them listed) and the time the load took. stop shuts both
// servers down.
func CheckSetup(ctx context.Context, a *app.App, entries, urls int, progress func(done int)) (check, bare Target, loaded time.Duration, stop func(), err error) {
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 1<<20)
		for i := range entries {
			n := Number(i)
			bw.WriteString(n[2:5] + "," + n[5:] + "\n") // the registry's "area,number" form
		}
		pw.CloseWithError(bw.Flush())
	}()
	start := time.Now()
	rep, err := a.Suppressions.ImportRegistry(ctx, a.Workspace.ID, pr, suppress.RegistryImportOptions{Name: "bench", By: "bench",
		Progress: progress})
	if err != nil {
		return check, bare, 0, nil, err
	}
	if rep.Added != entries {
		return check, bare, 0, nil, fmt.Errorf("bench: %d of %d numbers recorded (%d errors)", rep.Added, entries, len(rep.Errors))
	}
	a.Suppressions.Forget(a.Workspace.ID) // load the index from the store, as a server starting up does
	loadStart := time.Now()
	if _, err := a.Suppressions.Screen(ctx, a.Workspace.ID, true); err != nil {
		return check, bare, 0, nil, err
	}
	loaded = time.Since(loadStart)
	a.Log.Info("bench entries recorded", "entries", entries, "import", loadStart.Sub(start), "index_load", loaded)
	_, token, err := a.Tokens.Create(ctx, a.Workspace.ID, "bench-agent", access.RoleAgent)
	if err != nil {
		return check, bare, 0, nil, err
	}
	listed := make(map[string]bool, urls)
	numbers := make([]string, urls)
	for i := range numbers {
		if i%2 == 0 {
			numbers[i] = Number((i * 7919) % entries) // listed
		} else {
			numbers[i] = Number(entries + i) // not listed
		}
		listed[numbers[i]] = i%2 == 0
	}
	srvAddr, bareAddr, stop, err := servers(ctx, a, func(w http.ResponseWriter, r *http.Request) {
		blocked, known := listed[r.URL.Query().Get("phone")]
		if !known {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]bool{"contactable": !blocked})
	})
	if err != nil {
		return check, bare, 0, nil, err
	}
	check = Target{Name: "check API (" + a.Dialect() + ")", Bearer: token}
	bare = Target{Name: "bare net/http map lookup"}
	for _, n := range numbers {
		q := url.Values{"phone": {n}, "channel": {"phone"}}.Encode()
		check.URLs = append(check.URLs, "http://"+srvAddr+"/api/v1/check?"+q)
		bare.URLs = append(bare.URLs, "http://"+bareAddr+"/bare?"+q)
	}
	return check, bare, loaded, stop, nil
}

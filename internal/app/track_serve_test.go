package app

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/track"
)

// TestTrackingServe: through a real `serve`, an open pixel answers a GIF and counts the
// open (a privacy proxy's fetch counted as a machine's); a tracked link redirects to its
// signed target without leaking the token as Referer and counts the click (a HEAD as a
// machine's); a forged or changed token answers the pixel or a 404 and counts nothing; an
// aggregate-only link names no contact.
func TestTrackingServe(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		base, stop := startServer(t, a)
		defer stop()
		ctx := context.Background()
		ws := a.Workspace.ID
		l, err := a.Track.Linker(ctx, ws, 42, base, true)
		if err != nil {
			t.Fatal(err)
		}
		l.Contact = 7
		px, err := l.Pixel()
		if err != nil {
			t.Fatal(err)
		}
		fetch := func(method, target, ua string) *http.Response {
			t.Helper()
			req, _ := http.NewRequest(method, target, nil)
			req.Header.Set("User-Agent", ua)
			res, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
		if res := fetch("GET", px, chrome); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/gif" {
			t.Fatalf("pixel: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		fetch("GET", px, "Mozilla/5.0") // Apple's Mail Privacy Protection
		link, ok := l.Click("https://shop.example/sale?x=1")
		if !ok {
			t.Fatal("link not tracked")
		}
		res := fetch("GET", link, chrome)
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "https://shop.example/sale?x=1" ||
			res.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("click: %d Location %q Referrer-Policy %q", res.StatusCode, res.Header.Get("Location"), res.Header.Get("Referrer-Policy"))
		}
		fetch("HEAD", link, chrome) // a scanner's look
		// Forged and changed tokens count nothing.
		forged := base + "/c/" + strings.TrimPrefix(link, base+"/c/")[:20] + "AAAA"
		if res := fetch("GET", forged, chrome); res.StatusCode != http.StatusNotFound || res.Header.Get("Location") != "" {
			t.Fatalf("forged click: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res := fetch("GET", base+"/o/nope", chrome); res.StatusCode != 200 {
			t.Fatalf("bad pixel: %d", res.StatusCode)
		}
		// An open token is no click token.
		if res := fetch("GET", strings.Replace(px, "/o/", "/c/", 1), chrome); res.StatusCode != http.StatusNotFound {
			t.Fatalf("pixel token as a link: %d", res.StatusCode)
		}
		agg, err := a.Track.Linker(ctx, ws, 42, base, false)
		if err != nil {
			t.Fatal(err)
		}
		agg.Contact = 0
		if px, _ := agg.Pixel(); fetch("GET", px, chrome).StatusCode != 200 {
			t.Fatal("aggregate pixel")
		}
		got, err := a.Track.Counts(ctx, ws, 42)
		want := []track.Count{{Kind: "click", People: 1, Machine: 1, Unique: 1}, {Kind: "open", People: 2, Machine: 1, Unique: 1}}
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("counts %+v, %v; want %+v", got, err, want)
		}
	})
}

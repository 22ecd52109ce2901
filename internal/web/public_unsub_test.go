package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/unsub"
)

// fakeUnsub answers with err, or records what it was asked.
type fakeUnsub struct {
	err   error
	calls []string
}

func (f *fakeUnsub) Open(_ context.Context, tok string) (unsub.Page, error) {
	f.calls = append(f.calls, "open "+tok)
	return unsub.Page{Address: "a***@e***.com", Purpose: "product-updates"}, f.err
}

func (f *fakeUnsub) Unsubscribe(_ context.Context, tok string, sc unsub.Scope, _, _ string) (unsub.Result, error) {
	f.calls = append(f.calls, "unsubscribe "+string(sc))
	return unsub.Result{Address: "a***@e***.com", Recorded: true}, f.err
}

func (f *fakeUnsub) OneClick(_ context.Context, tok, _, _ string) (unsub.Result, error) {
	f.calls = append(f.calls, "one-click")
	return unsub.Result{Purpose: "product-updates", Recorded: true}, f.err
}

func unsubTestServer(t *testing.T, f *fakeUnsub) *httptest.Server {
	t.Helper()
	srv := New(Config{Unsubscribe: f, Logger: slog.New(slog.DiscardHandler), DataDir: t.TempDir()}, nil)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func send(t *testing.T, method, target, ctype, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, target, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// TestUnsubscribeRoutes: the one-click body wins over a scope field; a POST with neither
// one-click nor a scope is refused; the page renders the purpose as words; a failure of the
// service answers 500 with nothing of the error; bodies over the limit are refused.
func TestUnsubscribeRoutes(t *testing.T) {
	f := &fakeUnsub{}
	ts := unsubTestServer(t, f)
	form := "application/x-www-form-urlencoded"
	if code, h, body := send(t, "POST", ts.URL+"/u/tok", form, "scope=all&List-Unsubscribe=One-Click"); code != 200 ||
		h.Get("Location") != "" || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || body != "Unsubscribed.\n" {
		t.Errorf("one-click with a scope field: %d %v %q", code, h, body)
	}
	if code, _, body := send(t, "POST", ts.URL+"/u/tok", form, "List-Unsubscribe=Two-Clicks"); code != 400 {
		t.Errorf("no one-click, no scope: %d %s", code, body)
	}
	if code, _, body := send(t, "POST", ts.URL+"/u/tok", form, "scope=purpose"); code != 200 || !strings.Contains(body, "You are unsubscribed") {
		t.Errorf("form post: %d %s", code, body)
	}
	if code, _, body := send(t, "GET", ts.URL+"/u/tok", "", ""); code != 200 || !strings.Contains(body, "Unsubscribe from product updates e-mails") {
		t.Errorf("page: %d %s", code, body)
	}
	if code, _, _ := send(t, "POST", ts.URL+"/u/tok", form, "List-Unsubscribe=One-Click&pad="+strings.Repeat("x", maxUnsubBody)); code != 400 {
		t.Errorf("oversized body: %d", code)
	}
	want := []string{"one-click", "unsubscribe purpose", "open tok"}
	if strings.Join(f.calls, ",") != strings.Join(want, ",") {
		t.Errorf("calls %v, want %v", f.calls, want)
	}

	f.err = errors.New("pq: connection refused to db.internal:5432")
	for _, c := range []struct{ method, body string }{{"GET", ""}, {"POST", unsub.OneClickBody}, {"POST", "scope=all"}} {
		code, _, body := send(t, c.method, ts.URL+"/u/tok", form, c.body)
		if code != 500 || strings.Contains(body, "pq:") || strings.Contains(body, "db.internal") {
			t.Errorf("%s %q on a failing service: %d %s", c.method, c.body, code, body)
		}
	}
	f.err = unsub.ErrLinkInvalid
	if code, h, body := send(t, "POST", ts.URL+"/u/tok", form, unsub.OneClickBody); code != 404 || h.Get("Location") != "" ||
		!strings.Contains(body, "This link is not valid") {
		t.Errorf("invalid link one-click: %d %s", code, body)
	}
}

func TestUnsubscribeActionEscaped(t *testing.T) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, "unsubscribe", unsubPage{Page: unsub.Page{Purpose: "news"}, Token: "../stop/x"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToLower(b.String()), `action="/u/..%2fstop%2fx"`) {
		t.Fatalf("unsubscribe form:\n%s", b.String())
	}
}

package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	secret, body := []byte("s3cret"), []byte(`{"event":"suppression.added"}`)
	now := time.Unix(1_800_000_000, 0)
	h := Sign(secret, now, body)
	if err := Verify(secret, h, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		secret []byte
		header string
		body   []byte
		at     time.Time
	}{
		"other secret":  {[]byte("other"), h, body, now},
		"changed body":  {secret, h, []byte(`{"event":"suppression.removed"}`), now},
		"replayed late": {secret, h, body, now.Add(time.Hour)},
		"no timestamp":  {secret, "v1=00", body, now},
		"garbage":       {secret, "nonsense", body, now},
		"bad hex":       {secret, "t=1800000000,v1=zz", body, now},
		"empty":         {secret, "", body, now},
	} {
		if err := Verify(tc.secret, tc.header, tc.body, tc.at, 5*time.Minute); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Verify = %v, want ErrBadSignature", name, err)
		}
	}
}

func TestBackoff(t *testing.T) {
	if Backoff(1) != 15*time.Second || Backoff(2) != 30*time.Second || Backoff(30) != 6*time.Hour {
		t.Fatalf("Backoff = %v %v %v", Backoff(1), Backoff(2), Backoff(30))
	}
	var total time.Duration
	for n := 1; n < MaxAttempts; n++ {
		if Backoff(n+1) < Backoff(n) {
			t.Fatalf("backoff shrinks at %d", n)
		}
		total += Backoff(n)
	}
	if total < 24*time.Hour {
		t.Fatalf("retries give up after %v; a CRM down for a day must still get the event", total)
	}
}

func TestSend(t *testing.T) {
	secret := []byte("k")
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := Verify(secret, r.Header.Get(Header), b, time.Now(), time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		got = r.Header.Get("Clearlist-Event") + " " + r.Header.Get("Clearlist-Delivery") + " " + string(b)
		if strings.Contains(string(b), "fail") {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	if st, err := Send(ctx, srv.Client(), srv.URL, secret, "suppression.added", 7, []byte(`{"ok":1}`), time.Now()); err != nil || st != 200 {
		t.Fatalf("Send = %d, %v", st, err)
	}
	if got != `suppression.added 7 {"ok":1}` {
		t.Fatalf("receiver got %q", got)
	}
	if st, err := Send(ctx, srv.Client(), srv.URL, secret, "x", 8, []byte(`fail`), time.Now()); err == nil || st != 503 {
		t.Fatalf("a 503 is a failure: %d, %v", st, err)
	}
	if st, err := Send(ctx, srv.Client(), srv.URL, []byte("wrong"), "x", 9, []byte(`{}`), time.Now()); err == nil || st != 401 {
		t.Fatalf("a wrong secret is refused by the receiver: %d, %v", st, err)
	}
	srv.Close()
	if _, err := Send(ctx, srv.Client(), srv.URL, secret, "x", 10, []byte(`{}`), time.Now()); err == nil {
		t.Fatal("no answer is a failure")
	}
}

// FuzzVerify: any header and body give an answer, never a panic, and only a header made by
// Sign with the secret verifies.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add("t=1800000000,v1=00", []byte("{}"))
	f.Add(Sign([]byte("k"), now, []byte("{}")), []byte("{}"))
	f.Add("t=,v1=,v1=zz,,=", []byte(""))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := Verify([]byte("k"), header, body, now, time.Minute)
		if err == nil && header != Sign([]byte("k"), now, body) && !strings.Contains(header, Sign([]byte("k"), now, body)[13:]) {
			// Only the genuine MAC verifies (a header may carry it among other fields).
			t.Fatalf("forged header verified: %q", header)
		}
		if err != nil && !errors.Is(err, ErrBadSignature) {
			t.Fatalf("error not wrapping ErrBadSignature: %v", err)
		}
	})
}

func TestCheckURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://crm.example.com/hooks/clearlist": true,
		"http://127.0.0.1:8080/x":                 true,
		"ftp://crm.example.com/x":                 false,
		"/relative/path":                          false,
		"https://":                                false,
		"not a url at all":                        false,
	} {
		if err := CheckURL(raw); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v; want ok=%v", raw, err, ok)
		}
	}
}

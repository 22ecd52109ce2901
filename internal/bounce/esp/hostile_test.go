package esp_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/bounce/esp"
	"github.com/clearlist/clearlist/internal/bounce/espsettings"
)

// TestHostileRequests: the public URL answers strangers' bodies with a clear 4xx and no
// internals: too large, not JSON, too deeply nested, two values, an unknown provider or
// workspace, a GET; nothing is recorded.
func TestHostileRequests(t *testing.T) {
	e := newEnv(t)
	const key = "key-0123456789abcdef"
	e.set(espsettings.SettingMailgunKey, key)
	e.set(espsettings.SettingPostmarkUser, "hooks")
	e.set(espsettings.SettingPostmarkPassword, "pw")
	ts := strconv.FormatInt(e.now.Unix(), 10)
	huge := mailgunBody(key, ts, "tok-big", `{"event":"delivered","id":"x","recipient":"a@example.org","pad":"`+strings.Repeat("x", esp.MaxBody)+`"}`)
	code, a := e.post("mailgun", huge, nil)
	e.expect("1 MB body", code, a, 413, "larger than 1 MB")

	for name, body := range map[string]string{
		"not JSON":  `{"signature":`,
		"deep":      strings.Repeat("[", 100) + strings.Repeat("]", 100),
		"two":       `{} {}`,
		"wrong top": `[1,2,3]`,
	} {
		code, a = e.post("mailgun", []byte(body), nil)
		e.expect("mailgun "+name, code, a, 400, "")
		code, a = e.post("postmark", []byte(body), http.Header{"Authorization": {"Basic aG9va3M6cHc="}})
		e.expect("postmark "+name, code, a, 400, "")
	}
	code, a = e.postTo("/hooks/smtp2go/acme", []byte(`{}`), nil)
	e.expect("unknown provider", code, a, 404, "unknown provider")
	code, a = e.postTo("/hooks/mailgun/nobody", []byte(`{}`), nil)
	e.expect("unknown workspace", code, a, 404, "no webhook")
	code, a = e.post("sendgrid", []byte(`[]`), nil)
	e.expect("provider not configured", code, a, 404, "not configured")

	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/hooks/mailgun/acme", nil))
	if w.Code != 405 || w.Header().Get("Allow") != "POST" {
		t.Errorf("GET: %d %v", w.Code, w.Header())
	}
	w = httptest.NewRecorder()
	e.mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/hooks/postmark/acme", bytes.NewReader([]byte(`{}`))))
	if w.Code != 401 || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic") {
		t.Errorf("postmark without credentials: %d %v", w.Code, w.Header())
	}
	if n := len(e.sink.events()); n != 0 {
		t.Errorf("%d events recorded from hostile requests", n)
	}
}

package esp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/esp"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/workspace"
)

// recordingSink is the bounce service's stand-in: it keeps what it was given, and fails
// when told to (a database outage), so the handler's answers can be checked.
type recordingSink struct {
	mu    sync.Mutex
	calls [][]bounce.Event
	fail  bool
}

func (s *recordingSink) Record(ctx context.Context, ws int64, evs []bounce.Event) ([]bounce.EventResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return nil, errors.New("database unavailable")
	}
	s.calls = append(s.calls, evs)
	out := make([]bounce.EventResult, len(evs))
	for i, e := range evs {
		out[i] = bounce.EventResult{Kind: e.Kind, Address: e.Address, Action: "recorded"}
	}
	return out, nil
}

func (s *recordingSink) events() []bounce.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []bounce.Event
	for _, c := range s.calls {
		all = append(all, c...)
	}
	return all
}

// env is a handler over a real store (SQLite: the nonces and settings are the store's own
// contract, tested on both engines there) with a workspace "acme".
type env struct {
	t    *testing.T
	st   *store.Store
	wss  *workspace.Service
	ws   int64
	sink *recordingSink
	h    *esp.Handler
	mux  *http.ServeMux
	now  time.Time
}

func newEnv(t *testing.T) *env {
	st := storetest.OpenSQLite(t)
	wss := workspace.New(st)
	w, err := wss.Create(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, wss: wss, ws: w.ID, sink: &recordingSink{}, now: time.Now().UTC().Truncate(time.Second)}
	e.h = &esp.Handler{
		Workspace: func(ctx context.Context, name string) (int64, error) {
			w, err := st.WorkspaceByName(ctx, name)
			return w.ID, err
		},
		Settings: wss, Nonces: st, Sink: e.sink,
		Now: func() time.Time { return e.now },
	}
	e.mux = http.NewServeMux()
	e.mux.Handle("POST /hooks/{provider}/{workspace}", e.h)
	return e
}

func (e *env) set(name, value string) {
	e.t.Helper()
	if err := e.wss.SetSetting(e.t.Context(), e.ws, name, value); err != nil {
		e.t.Fatal(err)
	}
}

// post sends a webhook and returns the status and the answer's JSON.
func (e *env) post(provider string, body []byte, hdr http.Header) (int, map[string]any) {
	e.t.Helper()
	return e.postTo("/hooks/"+provider+"/acme", body, hdr)
}

func (e *env) postTo(path string, body []byte, hdr http.Header) (int, map[string]any) {
	e.t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	for k, v := range hdr {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, r)
	var a map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		e.t.Fatalf("answer %d is not JSON: %q", w.Code, w.Body.String())
	}
	return w.Code, a
}

// expect checks the status and, when want is not empty, that the answer's status or error
// contains it.
func (e *env) expect(what string, code int, a map[string]any, wantCode int, want string) {
	e.t.Helper()
	text, _ := a["status"].(string)
	if er, ok := a["error"].(string); ok {
		text += " " + er
	}
	if code != wantCode || !strings.Contains(text, want) {
		e.t.Errorf("%s: got %d %q, want %d with %q", what, code, text, wantCode, want)
	}
}

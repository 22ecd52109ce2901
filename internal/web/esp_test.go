package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/esp"
	"github.com/clearlist/clearlist/internal/bounce/espsettings"
	"github.com/clearlist/clearlist/internal/store/storetest"
	wsvc "github.com/clearlist/clearlist/internal/workspace"
)

type actorSink struct {
	mu     sync.Mutex
	actors []audit.Actor
}

func (s *actorSink) Record(ctx context.Context, ws int64, evs []bounce.Event) ([]bounce.EventResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.actors = append(s.actors, audit.ActorFrom(ctx))
	return make([]bounce.EventResult, len(evs)), nil
}

// TestHookRoutes: the server mounts the provider webhooks without a token; a signed Mailgun
// event is recorded with the caller as a public actor named for the webhook; a client that
// keeps failing the signature is refused with 429 once it has spent its failures, while
// good requests are never counted against it.
func TestHookRoutes(t *testing.T) {
	st := storetest.OpenSQLite(t)
	wss := wsvc.New(st)
	w, err := wss.Create(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	const key = "key-web-test"
	if err := wss.SetSetting(t.Context(), w.ID, espsettings.SettingMailgunKey, key); err != nil {
		t.Fatal(err)
	}
	sink := &actorSink{}
	h := &esp.Handler{Settings: wss, Nonces: st, Sink: sink, Workspace: func(ctx context.Context, name string) (int64, error) {
		w, err := st.WorkspaceByName(ctx, name)
		return w.ID, err
	}}
	srv := httptest.NewServer(New(Config{Hooks: h, PublicRate: 3}, nil).Handler())
	t.Cleanup(srv.Close)
	post := func(sigKey, token string) int {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(sigKey))
		mac.Write([]byte(ts + token))
		body := fmt.Sprintf(`{"signature":{"timestamp":%q,"token":%q,"signature":%q},"event-data":{"event":"delivered","id":%q,"recipient":"a@example.org"}}`,
			ts, token, hex.EncodeToString(mac.Sum(nil)), token)
		resp, err := http.Post(srv.URL+"/hooks/mailgun/acme", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 5 {
		if code := post(key, fmt.Sprint("good-", i)); code != 200 {
			t.Fatalf("good request %d: %d", i, code)
		}
	}
	if len(sink.actors) != 5 || sink.actors[0].Kind != audit.Public || sink.actors[0].Name != "webhook mailgun" || sink.actors[0].ID == "" {
		t.Fatalf("actors %+v", sink.actors)
	}
	for i := range 3 {
		if code := post("wrong", fmt.Sprint("bad-", i)); code != 401 {
			t.Fatalf("bad signature %d: %d", i, code)
		}
	}
	if code := post(key, "good-after"); code != 429 {
		t.Fatalf("after 3 failures: %d, want 429", code)
	}
}

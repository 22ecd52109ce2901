package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// engines runs fn against a fresh SQLite store and a fresh PostgreSQL schema (skipped, or
// failed in CI, when no PostgreSQL server is reachable: see storetest).
func engines(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	storetest.ForEach(t, fn)
}

// testEnv is a server on a loopback port with a token for the default workspace.
type testEnv struct {
	t       *testing.T
	st      *store.Store
	srv     *Server
	http    *httptest.Server
	imp     *recordingImporter
	ws      int64
	token   string
	dataDir string
}

func newEnv(t *testing.T, st *store.Store, tweak ...func(*Config)) *testEnv {
	t.Helper()
	ws, err := st.EnsureWorkspace(t.Context(), store.DefaultWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := st.CreateToken(t.Context(), ws.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{DataDir: t.TempDir(), DefaultRegion: "DE", Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
		Tokens: access.New(st), Audit: audit.NewService(st)}
	for _, f := range tweak {
		f(&cfg)
	}
	if cfg.Contacts == nil {
		cfg.Contacts = contact.New(st, cfg.DefaultRegion)
	}
	if cfg.Consents == nil {
		cfg.Consents = consent.New(st, nil)
	}
	if cfg.Health == nil {
		cfg.Health = func(ctx context.Context) error { return st.DB().PingContext(ctx) }
	}
	imp := &recordingImporter{st: st}
	srv := New(cfg, imp)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testEnv{t: t, st: st, srv: srv, http: hs, imp: imp, ws: ws.ID, token: secret, dataDir: cfg.DataDir}
}

// response is what a test request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic value.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("response %d is not a JSON object: %v\n%s", r.status, err, short(r.body))
	}
	return v
}

// do sends a request with the env's token; body is JSON-encoded unless it is a string or []byte.
func (e *testEnv) do(method, path string, body any) response {
	e.t.Helper()
	return e.doAs(e.token, method, path, body, "")
}

func (e *testEnv) doAs(token, method, path string, body any, contentType string) response {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.http.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType == "" && body != nil {
		contentType = "application/json"
	}
	if contentType != "" && contentType != "-" { // "-": send no Content-Type
		req.Header.Set("Content-Type", contentType)
	}
	res, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// want fails the test unless the response has the status.
func want(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.status, status, short(r.body))
	}
}

// short cuts a body for a failure message.
func short(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// recordingImporter stands in for the import runner: it records each request, keeps a copy
// of the uploaded file and tracks the import in the store.
type recordingImporter struct {
	st    *store.Store
	mu    sync.Mutex
	reqs  []contact.ImportRequest
	files [][]byte
	gate  chan struct{} // when set, Start signals started and waits for gate to close
	start chan struct{}
	panic bool
}

func (r *recordingImporter) Start(ctx context.Context, req contact.ImportRequest) (store.Import, error) {
	if r.panic {
		panic("importer exploded")
	}
	if r.gate != nil {
		close(r.start)
		<-r.gate
	}
	data, err := os.ReadFile(req.Path)
	if err != nil {
		return store.Import{}, err
	}
	src, err := r.st.CreateSource(ctx, req.Source)
	if err != nil {
		return store.Import{}, err
	}
	im, err := r.st.CreateImport(ctx, store.Import{WorkspaceID: req.WorkspaceID, SourceID: src.ID, FileName: req.FileName,
		OnConflict: string(req.OnConflict), ReportPath: req.Path + ".errors.csv"})
	if err != nil {
		return store.Import{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	r.files = append(r.files, data)
	return im, nil
}

func (r *recordingImporter) Get(ctx context.Context, ws, id int64) (store.Import, error) {
	return r.st.Import(ctx, ws, id)
}

func (r *recordingImporter) Cancel(ctx context.Context, ws, id int64) (store.Import, error) {
	return r.st.CancelImport(ctx, ws, id, "test")
}

// calls returns the requests Start was given and the files' contents.
func (r *recordingImporter) calls() ([]contact.ImportRequest, [][]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]contact.ImportRequest(nil), r.reqs...), append([][]byte(nil), r.files...)
}

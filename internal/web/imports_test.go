package web

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestImportUploadRaw(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		// Larger than the 1 MiB JSON limit: uploads are streamed, not buffered by huma.
		var csv bytes.Buffer
		csv.WriteString("E-Mail;Vorname\n")
		for i := 0; csv.Len() < 3<<20; i++ {
			fmt.Fprintf(&csv, "p%d@example.com;Name %d\n", i, i)
		}
		q := "list=fair&source_type=trade-fair-organiser&source_note=Messe+2024&on_conflict=skip&drop_undeclared=true" +
			"&map=E-Mail%3Demail&map=Vorname%3Dfirst_name&encoding=latin-1&delimiter=%3B&dry_run=true&file_name=leads.csv&consent_purpose=newsletter"
		r := e.doAs(e.token, "POST", "/api/v1/imports?"+q, csv.Bytes(), "text/csv")
		want(t, r, http.StatusAccepted)
		im := r.json(t)
		id := int64(im["id"].(float64))
		if loc := r.header.Get("Location"); loc != fmt.Sprintf("/api/v1/imports/%d", id) {
			t.Errorf("Location = %q", loc)
		}
		if im["status"] != store.ImportRunning || im["file_name"] != "leads.csv" {
			t.Errorf("import = %v", im)
		}
		calls, files := e.imp.calls()
		if len(calls) != 1 {
			t.Fatalf("Start called %d times", len(calls))
		}
		got := calls[0]
		wantReq := contact.ImportRequest{
			WorkspaceID:    e.ws,
			FileName:       "leads.csv",
			List:           "fair",
			Source:         contact.Source{WorkspaceID: e.ws, Type: "trade-fair-organiser", Description: "Messe 2024"},
			OnConflict:     contact.ConflictSkip,
			Map:            contact.Mapping{"E-Mail": "email", "Vorname": "first_name"},
			DropUndeclared: true,
			DefaultRegion:  "DE",
			Read:           contact.ReadOptions{Format: contact.FormatCSV, Delimiter: ';', Encoding: "latin-1"},
			DryRun:         true,
			ConsentPurpose: "newsletter",
		}
		if d := cmp.Diff(wantReq, got, cmpopts.IgnoreFields(contact.ImportRequest{}, "Path"), cmpopts.IgnoreUnexported(contact.ReadOptions{})); d != "" {
			t.Errorf("import request (-want +got):\n%s", d)
		}
		if dir := filepath.Join(e.dataDir, "uploads"); filepath.Dir(got.Path) != dir || filepath.Ext(got.Path) != ".csv" {
			t.Errorf("upload stored at %s, want a .csv file in %s", got.Path, dir)
		}
		if !bytes.Equal(files[0], csv.Bytes()) {
			t.Errorf("stored file differs from the upload (%d bytes, want %d)", len(files[0]), csv.Len())
		}

		// Status and error report.
		r = e.do("GET", fmt.Sprintf("/api/v1/imports/%d", id), nil)
		want(t, r, http.StatusOK)
		if v := r.json(t); v["id"] != float64(id) || v["on_conflict"] != "skip" {
			t.Errorf("GET import = %v", v)
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/imports/%d/errors", id), nil)
		want(t, r, http.StatusNotFound)
		if !strings.Contains(string(r.body), "no error report") {
			t.Errorf("404 does not explain: %s", short(r.body))
		}
		report := "row,column,value,reason\n3,E-Mail,nope,there is no @\n"
		if err := os.WriteFile(got.Path+".errors.csv", []byte(report), 0o600); err != nil {
			t.Fatal(err)
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/imports/%d/errors", id), nil)
		want(t, r, http.StatusOK)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || string(r.body) != report {
			t.Errorf("report: %s %q", ct, r.body)
		}
		want(t, e.do("GET", "/api/v1/imports/99999", nil), http.StatusNotFound)
	})
}

func TestImportUploadMultipart(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		body, ct := multipartBody(t, map[string][]string{"source_type": {"api"}, "list": {"web"}, "map": {"mail=email", "tel=phone"},
			"default_region": {"gb"}, "evidence": {"double_opt_in=yes", "form_url=https://shop.example/signup?a=b"}},
			"contacts.jsonl", "application/x-ndjson", `{"mail":"a@example.com","tel":"+4930123456"}`+"\n")
		r := e.doAs(e.token, "POST", "/api/v1/imports?source_note=from+the+shop", body, ct)
		want(t, r, http.StatusAccepted)
		calls, files := e.imp.calls()
		if len(calls) != 1 {
			t.Fatalf("Start called %d times", len(calls))
		}
		got := calls[0]
		if got.FileName != "contacts.jsonl" || got.List != "web" || got.Source.Type != "api" || got.Source.Description != "from the shop" ||
			got.Read.Format != contact.FormatJSONL || got.Map["tel"] != "phone" || got.Map["mail"] != "email" || got.WorkspaceID != e.ws {
			t.Errorf("import request = %+v", got)
		}
		// Like the CLI's --default-region and --evidence.
		wantEv := map[string]string{"double_opt_in": "yes", "form_url": "https://shop.example/signup?a=b"}
		if got.DefaultRegion != "GB" || !cmp.Equal(got.Source.Evidence, wantEv) {
			t.Errorf("default region %q, evidence %v; want GB, %v", got.DefaultRegion, got.Source.Evidence, wantEv)
		}
		if filepath.Ext(got.Path) != ".jsonl" || !strings.Contains(string(files[0]), "a@example.com") {
			t.Errorf("stored %s: %q", got.Path, files[0])
		}
	})
}

func TestImportUploadErrors(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t), func(c *Config) { c.MaxUploadBytes = 1 << 10 })
	noFile, noFileCT := multipartBody(t, map[string][]string{"source_type": {"api"}}, "", "", "")
	noType, noTypeCT := multipartBody(t, nil, "a.csv", "text/csv", "email\na@example.com\n")
	tests := []struct {
		name, query, contentType string
		body                     any
		status                   int
		says                     string
	}{
		{"missing source_type", "list=x", "text/csv", "email\na@example.com\n", 422, "source_type is required"},
		{"unknown source_type", "source_type=scraped", "text/csv", "email\na@example.com\n", 422, "use one of"},
		{"bad on_conflict", "source_type=api&on_conflict=merge", "text/csv", "email\n", 422, "update or skip"},
		{"bad delimiter", "source_type=api&delimiter=x", "text/csv", "email\n", 422, "delimiter"},
		{"bad map", "source_type=api&map=email", "text/csv", "email\n", 422, "COLUMN=TARGET"},
		{"bad bool", "source_type=api&dry_run=perhaps", "text/csv", "email\n", 422, "true or false"},
		{"bad format", "source_type=api&format=xlsx", "text/csv", "email\n", 422, "csv or jsonl"},
		{"bad default_region", "source_type=api&default_region=XX", "text/csv", "email\n", 422, "ISO 3166"},
		{"unknown evidence key", "source_type=api&evidence=double_optin%3Dyes", "text/csv", "email\n", 422, "use one of collection_evidence"},
		{"evidence without value", "source_type=api&evidence=double_opt_in", "text/csv", "email\n", 422, "KEY=VALUE"},
		{"empty file", "source_type=api", "text/csv", "", 422, "empty"},
		{"too large", "source_type=api", "text/csv", strings.Repeat("a@example.com\n", 200), 413, "limit of 1024 bytes"},
		{"json body", "source_type=api", "application/json", `{"email":"a@example.com"}`, 415, "text/csv"},
		{"no content type", "source_type=api", "-", "email\n", 415, "text/csv"},
		{"multipart without file", "", noFileCT, noFile, 422, `part named \"file\"`},
		{"multipart without source_type", "", noTypeCT, noType, 422, "source_type is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.doAs(e.token, "POST", "/api/v1/imports?"+tt.query, tt.body, tt.contentType)
			want(t, r, tt.status)
			if !strings.Contains(string(r.body), tt.says) {
				t.Errorf("answer does not say %q: %s", tt.says, short(r.body))
			}
		})
	}
	if calls, _ := e.imp.calls(); len(calls) != 0 {
		t.Errorf("Start called %d times for bad uploads", len(calls))
	}
	left, _ := os.ReadDir(filepath.Join(e.dataDir, "uploads"))
	if len(left) != 0 {
		t.Errorf("rejected uploads left %d files behind", len(left))
	}
}

// multipartBody builds a form with fields and, when fileName is not "", a "file" part.
func multipartBody(t *testing.T, fields map[string][]string, fileName, fileType, content string) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if fileName != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, fileName))
		h.Set("Content-Type", fileType)
		p, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		p.Write([]byte(content))
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

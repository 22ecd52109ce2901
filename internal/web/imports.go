package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"reflect"

	"github.com/clearlist/clearlist/internal/imports"
	"github.com/danielgtaylor/huma/v2"
)

// importRoutes registers the /api/v1/imports operations. The upload is a plain handler
// (it streams to disk), described in the OpenAPI document by hand.
func (s *Server) importRoutes(api huma.API, rt *router) {
	tags := []string{"imports"}
	rt.HandleFunc("POST /api/v1/imports", s.uploadImport)
	api.OpenAPI().AddOperation(uploadOperation(api, tags))
	register(s, api, huma.Operation{OperationID: "get-import", Method: http.MethodGet, Path: "/api/v1/imports/{id}",
		Summary: "Get an import's status and counters", Tags: tags}, s.getImport)
	register(s, api, huma.Operation{OperationID: "get-import-errors", Method: http.MethodGet, Path: "/api/v1/imports/{id}/errors",
		Summary: "Download an import's error report (CSV: row, column, value, reason)", Tags: tags,
		Responses: map[string]*huma.Response{"200": {Description: "The error report.",
			Content: map[string]*huma.MediaType{"text/csv": {Schema: &huma.Schema{Type: huma.TypeString}}}}},
	}, s.getImportErrors)
	register(s, api, huma.Operation{OperationID: "cancel-import", Method: http.MethodPost, Path: "/api/v1/imports/{id}/cancel",
		Summary: "Cancel a queued or running import", Tags: tags,
		Description: "The import stops before its next batch (within about a second); the batches committed before stay, " +
			"each whole with its consent ledger entries, and the import ends cancelled with its counts so far. " +
			"It is never resumed. An import that has ended (done, failed or cancelled) answers 409.",
		Errors: []int{http.StatusConflict}}, s.cancelImport)
}

func (s *Server) cancelImport(ctx context.Context, in *importIDInput) (*importOutput, error) {
	im, err := s.imp.Cancel(ctx, workspace(ctx), in.ID)
	if errors.Is(err, imports.ErrNotCancellable) {
		return nil, huma.Error409Conflict(err.Error())
	}
	if err != nil {
		return nil, notFound(err, "import %d", in.ID)
	}
	return &importOutput{Body: im}, nil
}

type importIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type importOutput struct {
	Body imports.Import
}

func (s *Server) getImport(ctx context.Context, in *importIDInput) (*importOutput, error) {
	im, err := s.imp.Get(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, notFound(err, "import %d", in.ID)
	}
	return &importOutput{Body: im}, nil
}

func (s *Server) getImportErrors(ctx context.Context, in *importIDInput) (*huma.StreamResponse, error) {
	im, err := s.imp.Get(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, notFound(err, "import %d", in.ID)
	}
	var f *os.File
	if im.ReportPath != "" {
		f, err = os.Open(im.ReportPath)
	}
	switch {
	case im.ReportPath == "" || errors.Is(err, fs.ErrNotExist):
		msg := fmt.Sprintf("import %d has no error report: no row of it has failed", im.ID)
		if im.Status == imports.Running {
			msg = fmt.Sprintf("import %d has no error report yet: no row has failed so far; it is still running", im.ID)
		}
		return nil, huma.Error404NotFound(msg)
	case err != nil:
		return nil, fmt.Errorf("open error report of import %d: %w", im.ID, err)
	}
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		defer f.Close()
		hc.SetHeader("Content-Type", "text/csv; charset=utf-8")
		hc.SetHeader("Content-Disposition", fmt.Sprintf(`attachment; filename="import-%d-errors.csv"`, im.ID))
		if _, err := io.Copy(hc.BodyWriter(), f); err != nil {
			s.log.WarnContext(ctx, "send import error report", "import_id", im.ID, "err", err)
		}
	}}, nil
}

// uploadOperation documents POST /api/v1/imports, which huma does not serve.
func uploadOperation(api huma.API, tags []string) *huma.Operation {
	reg := api.OpenAPI().Components.Schemas
	problem := &huma.Response{Description: "A problem document saying what to fix.", Content: map[string]*huma.MediaType{
		"application/problem+json": {Schema: reg.Schema(reflect.TypeFor[huma.ErrorModel](), true, "")}}}
	binary := &huma.MediaType{Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}
	form := &huma.Schema{Type: huma.TypeObject, Required: []string{"file", "source_type"},
		Properties: map[string]*huma.Schema{"file": {Type: huma.TypeString, Format: "binary", Description: "The CSV or JSON-lines file."}}}
	op := &huma.Operation{
		OperationID: "create-import", Method: http.MethodPost, Path: "/api/v1/imports", Tags: tags, Security: bearer,
		Summary: "Upload a file of contacts and start importing it",
		Description: "Send the file as the request body (parameters in the query) or as the part \"file\" of a " +
			"multipart form (parameters as query or form fields). The import runs in the background: " +
			"follow it at the Location returned.",
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"text/csv": binary, "application/x-ndjson": binary, "application/octet-stream": binary,
			"multipart/form-data": {Schema: form},
		}},
		Responses: map[string]*huma.Response{
			"202": {Description: "The import started.",
				Headers: map[string]*huma.Param{"Location": {Schema: &huma.Schema{Type: huma.TypeString}, Description: "Where to follow the import."}},
				Content: map[string]*huma.MediaType{"application/json": {Schema: reg.Schema(reflect.TypeFor[imports.Import](), true, "")}}},
			"401": problem, "413": problem, "415": problem, "422": problem, "500": problem,
		},
	}
	for _, p := range importParamDocs {
		// Not marked required: a multipart upload may give source_type as a form field instead.
		s := &huma.Schema{Type: p.typ, Description: p.doc}
		if p.name == "map" || p.name == "evidence" {
			s = &huma.Schema{Type: huma.TypeArray, Items: &huma.Schema{Type: huma.TypeString}, Description: p.doc}
		}
		op.Parameters = append(op.Parameters, &huma.Param{Name: p.name, In: "query", Description: p.doc, Schema: s})
		form.Properties[p.name] = s
	}
	return op
}

// importParamDocs lists the upload's parameters for the OpenAPI document.
var importParamDocs = []struct{ name, typ, doc string }{
	{"source_type", huma.TypeString, "Required. How the contacts were obtained; GET /api/v1/source-types lists the types."},
	{"source_note", huma.TypeString, "A description of the source, e.g. the event or the file's origin."},
	{"list", huma.TypeString, "The list to add the contacts to; created if missing."},
	{"on_conflict", huma.TypeString, "update (default) merges into existing contacts; skip leaves them alone."},
	{"drop_undeclared", huma.TypeBoolean, "Drop columns that are not declared attributes instead of refusing the file."},
	{"map", huma.TypeString, "COLUMN=TARGET (repeatable): maps a column to email, phone, status, country, contact_kind, an attribute, or - to ignore it."},
	{"encoding", huma.TypeString, "auto (default), utf-8, utf-16, utf-16le, utf-16be, latin-1 or iso-8859-1."},
	{"delimiter", huma.TypeString, "The CSV delimiter: , ; | or tab; detected when left out."},
	{"format", huma.TypeString, "csv or jsonl; detected from the Content-Type or the content when left out."},
	{"dry_run", huma.TypeBoolean, "Check the file and report what would happen without writing contacts."},
	{"country", huma.TypeString, "ISO 3166-1 two-letter country (e.g. GB) of rows without a country value; it chooses the rules that apply."},
	{"contact_kind", huma.TypeString, "personal, sole_trader or corporate: the contact kind of rows without a contact_kind value."},
	{"default_region", huma.TypeString, "ISO 3166 two-letter region for phone numbers written without +CC, e.g. GB; the server's default when left out."},
	{"evidence", huma.TypeString, "KEY=VALUE (repeatable): how the contacts' permission is documented, e.g. evidence=double_opt_in=yes; the keys are double_opt_in, written_permission, separate_box, collection_evidence, form_url, form_id, wording, event, document. Columns evidence_KEY give a row evidence of its own over this default; an unknown key is refused."},
	{"from", huma.TypeString, "The file is another sender's CSV export: mailchimp (an audience export's subscribed, unsubscribed or cleaned file) or listmonk (a subscriber export). Its consent times become ledger entries, its unsubscribes, cleaned addresses and blocklisted subscribers do-not-contact entries; the import's sender summary lists the columns not taken in."},
	{"list_status", huma.TypeString, "With from=listmonk: the list subscription status (unconfirmed, confirmed, unsubscribed) of rows without a subscription_status column."},
	{"consent_purpose", huma.TypeString, "The purpose of the consent columns (consent_at, consent_wording, …) of rows without a consent_purpose cell; the rows' consents become ledger entries, written with their contacts."},
	{"file_name", huma.TypeString, "The file's name as recorded with the import (raw uploads)."},
}

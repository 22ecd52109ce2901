package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/clearlist/clearlist/internal/imports"
)

// The imports pages read through the import service the API uses and are opened by the roles
// of the API route behind each: the listing and an import's page by GET /api/v1/imports/{id},
// the upload form by POST /api/v1/imports, the error report by its download's route.
const (
	uiImportRoute       = "GET /api/v1/imports/{id}"
	uiImportUploadRoute = "POST /api/v1/imports"
	uiImportErrorsRoute = "GET /api/v1/imports/{id}/errors"
	uiImportCancelRoute = "POST /api/v1/imports/{id}/cancel"
)

// Page sizes of the import listing and of the error report.
const (
	uiImportsPageSize = 25
	uiReportPageSize  = 50
)

// uiImporter is what the imports pages need of the importer beyond the API's Importer (the
// import service's uploads have it).
type uiImporter interface {
	Importer
	Page(ctx context.Context, ws, before int64, limit int) ([]imports.Import, error)
	Progress(ctx context.Context, ws, id int64) (imports.Progress, error)
	ReportRows(ctx context.Context, ws, id, offset int64, limit int) (imports.ReportPage, error)
}

// uiImports returns the importer of the imports pages, if this server has one.
func (s *Server) uiImports() (uiImporter, bool) {
	u, ok := s.imp.(uiImporter)
	return u, ok
}

// uiImportRoutes registers the imports pages.
func (s *Server) uiImportRoutes(rt *router) {
	page := func(pattern string, h http.HandlerFunc) { rt.Handle(pattern, s.requireSession(h)) }
	page("GET /ui/imports", s.uiImportList)
	page("GET /ui/imports/new", s.uiImportForm)
	rt.Handle("POST /ui/imports", s.uploadSession(http.HandlerFunc(s.uiImportUpload)))
	page("GET /ui/imports/{id}", s.uiImportPage)
	page("GET /ui/imports/{id}/progress", s.uiImportProgress)
	page("GET /ui/imports/{id}/errors", s.uiImportErrors)
	page("POST /ui/imports/{id}/cancel", s.uiImportCancel)
}

// uiImportRow is an import in the listing, with its list's name.
type uiImportRow struct {
	imports.Import
	List string
}

// uiImportsData is a page of the import listing.
type uiImportsData struct {
	Nav        uiNav
	Imports    []uiImportRow
	NextCursor string
	CanUpload  bool
	Error      string
}

func (s *Server) uiImportList(w http.ResponseWriter, r *http.Request) {
	imp, ok := s.uiImports()
	if !s.uiGate(w, r, uiImportRoute, "imports", ok) {
		return
	}
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	d := uiImportsData{Nav: s.nav(r, "imports"), CanUpload: s.may(r, uiImportUploadRoute)}
	before, err := decodeCursor(r.URL.Query().Get("cursor"))
	if err != nil {
		d.Error = "That page link is out of date; start again from the first page."
		s.renderUI(w, r, http.StatusBadRequest, importsPage(d))
		return
	}
	items, err := imp.Page(ctx, ws, before, uiImportsPageSize+1)
	if err != nil {
		s.uiFail(w, r, "imports", "imports", err)
		return
	}
	if len(items) > uiImportsPageSize {
		items = items[:uiImportsPageSize]
		d.NextCursor = encodeCursor(items[uiImportsPageSize-1].ID)
	}
	names := map[int64]string{}
	for _, im := range items {
		row := uiImportRow{Import: im}
		if im.ListID != nil {
			if _, seen := names[*im.ListID]; !seen {
				names[*im.ListID] = s.listName(ctx, ws, *im.ListID)
			}
			row.List = names[*im.ListID]
		}
		d.Imports = append(d.Imports, row)
	}
	s.renderUI(w, r, http.StatusOK, importsPage(d))
}

// listName names list id for a page, "" when it is gone or cannot be read.
func (s *Server) listName(ctx context.Context, ws, id int64) string {
	if s.cfg.Contacts == nil {
		return ""
	}
	l, err := s.cfg.Contacts.List(ctx, ws, id)
	if err != nil {
		return ""
	}
	return l.Name
}

// uiImportData is an import's page and its live progress fragment.
type uiImportData struct {
	Nav       uiNav
	P         imports.Progress
	List      string
	CanReport bool   // the role may read the error report
	CanCancel bool   // the role may cancel the import
	Error     string // why the cancel was refused
}

// readImport reads the progress of the import of the page's path, or answers the request.
func (s *Server) readImport(w http.ResponseWriter, r *http.Request, route string) (uiImportData, bool) {
	imp, ok := s.uiImports()
	if !s.uiGate(w, r, route, "imports", ok) {
		return uiImportData{}, false
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "imports", http.StatusNotFound, "There is no such import in this workspace.")
		return uiImportData{}, false
	}
	ss, _ := sessionOf(r.Context())
	p, err := imp.Progress(r.Context(), ss.WorkspaceID, id)
	if err != nil {
		s.uiFail(w, r, "imports", "import", err)
		return uiImportData{}, false
	}
	d := uiImportData{Nav: s.nav(r, "imports"), P: p, CanReport: s.may(r, uiImportErrorsRoute), CanCancel: s.may(r, uiImportCancelRoute)}
	if p.ListID != nil {
		d.List = s.listName(r.Context(), ss.WorkspaceID, *p.ListID)
	}
	return d, true
}

func (s *Server) uiImportPage(w http.ResponseWriter, r *http.Request) {
	if d, ok := s.readImport(w, r, uiImportRoute); ok {
		s.renderUI(w, r, http.StatusOK, importPage(d))
	}
}

// uiImportProgress is the fragment htmx polls while the import runs; the fragment of an
// import that has ended carries no trigger, so the polling stops.
func (s *Server) uiImportProgress(w http.ResponseWriter, r *http.Request) {
	if d, ok := s.readImport(w, r, uiImportRoute); ok {
		s.renderUI(w, r, http.StatusOK, importProgress(d))
	}
}

// uiImportCancel is the Cancel button of an import's page: it cancels the import through the
// API route's service method, then shows the page again (303), or, for htmx, the progress
// fragment, saying "cancelled" or why the import could not be cancelled.
func (s *Server) uiImportCancel(w http.ResponseWriter, r *http.Request) {
	imp, ok := s.uiImports()
	if !s.uiGate(w, r, uiImportCancelRoute, "imports", ok) || !s.uiReadForm(w, r, "imports") {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "imports", http.StatusNotFound, "There is no such import in this workspace.")
		return
	}
	ss, _ := sessionOf(r.Context())
	_, err := imp.Cancel(r.Context(), ss.WorkspaceID, id)
	htmx := r.Header.Get("HX-Request") == "true"
	switch {
	case err == nil && !htmx:
		http.Redirect(w, r, importURL(id), http.StatusSeeOther)
		return
	case err != nil && !errors.Is(err, imports.ErrNotCancellable):
		s.uiFail(w, r, "imports", "import", err)
		return
	}
	d, ok := s.readImport(w, r, uiImportRoute)
	if !ok {
		return
	}
	if err != nil {
		d.Error = capital(err.Error())
	}
	switch {
	case htmx: // htmx swaps only a 2xx answer: the refusal is in the fragment
		s.renderUI(w, r, http.StatusOK, importProgress(d))
	default:
		s.renderUI(w, r, http.StatusConflict, importPage(d))
	}
}

// uiReportData is a page of an import's error report.
type uiReportData struct {
	Nav        uiNav
	Import     imports.Import
	Rows       []imports.ReportRow
	NextCursor string
	Error      string
}

func (s *Server) uiImportErrors(w http.ResponseWriter, r *http.Request) {
	imp, ok := s.uiImports()
	if !s.uiGate(w, r, uiImportErrorsRoute, "imports", ok) {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "imports", http.StatusNotFound, "There is no such import in this workspace.")
		return
	}
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	im, err := imp.Get(ctx, ws, id)
	if err != nil {
		s.uiFail(w, r, "imports", "import", err)
		return
	}
	d := uiReportData{Nav: s.nav(r, "imports"), Import: im}
	offset, err := decodeCursor(r.URL.Query().Get("cursor"))
	if err != nil {
		d.Error = "That page link is out of date; start again from the first page."
		s.renderUI(w, r, http.StatusBadRequest, importErrorsPage(d))
		return
	}
	page, err := imp.ReportRows(ctx, ws, id, offset, uiReportPageSize)
	switch {
	case errors.Is(err, imports.ErrNoReport):
		d.Error = "No row of this import has been refused or stored with a value left out."
		if im.Status == imports.Running {
			d.Error = "No row has been refused so far; the import is still running."
		}
	case errors.Is(err, imports.ErrBadOffset):
		d.Error = err.Error()
		s.renderUI(w, r, http.StatusBadRequest, importErrorsPage(d))
		return
	case err != nil:
		s.uiFail(w, r, "imports", "error report", err)
		return
	}
	d.Rows = page.Rows
	if page.Next > 0 {
		d.NextCursor = encodeCursor(page.Next)
	}
	s.renderUI(w, r, http.StatusOK, importErrorsPage(d))
}

// importState is an import's status in words.
func importState(status string) string {
	if status == imports.Done {
		return "finished"
	}
	return status
}

// importedRows counts the rows an import stored: new, merged and already up to date.
func importedRows(im imports.Import) int64 { return im.Inserted + im.Updated + im.Unchanged }

// importURL, importErrorsURL and importCSVURL are an import's page, its error report and the
// report's download (the API's, read with the session).
func importURL(id int64) string       { return "/ui/imports/" + strconv.FormatInt(id, 10) }
func importErrorsURL(id int64) string { return importURL(id) + "/errors" }
func importCSVURL(id int64) string    { return "/api/v1/imports/" + strconv.FormatInt(id, 10) + "/errors" }

// importRows counts rows in words: "1 row", "3 rows".
func importRows(n int64) string {
	if n == 1 {
		return "1 row"
	}
	return n64(n) + " rows"
}

// n64 formats a count.
func n64(n int64) string { return strconv.FormatInt(n, 10) }

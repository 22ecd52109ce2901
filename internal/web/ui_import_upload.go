package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/user"
	"github.com/danielgtaylor/huma/v2"
)

// uiEvidenceOrder is the order of the evidence fields on the upload form: the flags the policy
// reads first, then what describes the collection. It holds every key of contact.EvidenceKeys.
var uiEvidenceOrder = []string{"double_opt_in", "written_permission", "separate_box", "collection_evidence",
	"wording", "form_url", "form_id", "event", "document", "purchase_date", "inquiry_date"}

// uiEvidenceFlags are the evidence keys the form asks as a box to tick (value yes).
var uiEvidenceFlags = map[string]bool{"double_opt_in": true, "written_permission": true, "separate_box": true, "collection_evidence": true}

// uiImportForm is the upload form, empty or as sent with what to fix.
type uiImportForm struct {
	Nav         uiNav
	V           url.Values // the fields as sent (not the file: a browser cannot be given it back)
	Field       string     // the field at fault, "" for the form as a whole
	Error       string
	SourceTypes []policy.SourceInfo
	Purposes    []consent.Purpose
	MaxBytes    int64
}

func (s *Server) importForm(r *http.Request, v url.Values) uiImportForm {
	f := uiImportForm{Nav: s.nav(r, "imports"), V: v, SourceTypes: policy.Default().Sources(), MaxBytes: s.cfg.MaxUploadBytes}
	if f.V == nil {
		f.V = url.Values{}
	}
	if s.cfg.Consents != nil && s.may(r, "GET /api/v1/purposes") {
		ss, _ := sessionOf(r.Context())
		if ps, err := s.cfg.Consents.Purposes(r.Context(), ss.WorkspaceID); err == nil {
			f.Purposes = ps
		}
	}
	return f
}

// uploadGate answers unless the server imports and the role may upload; it reports whether
// the request may go on.
func (s *Server) uploadGate(w http.ResponseWriter, r *http.Request) (uiImporter, bool) {
	imp, ok := s.uiImports()
	if !s.uiGate(w, r, uiImportRoute, "imports", ok) {
		return nil, false
	}
	if !s.may(r, uiImportUploadRoute) {
		ss, _ := sessionOf(r.Context())
		s.uiError(w, r, "imports", http.StatusForbidden, "Your role ("+ss.Role+") may not start imports; ask an owner for another role.")
		return nil, false
	}
	return imp, true
}

func (s *Server) uiImportForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.uploadGate(w, r); ok {
		s.renderUI(w, r, http.StatusOK, importFormPage(s.importForm(r, nil)))
	}
}

// uploadSession is requireSession for the upload form, which is multipart: its form token is
// checked by the handler from the form's first fields (or the X-CSRF-Token header) before a
// byte of the file is stored, instead of by parsing the whole form first.
func (s *Server) uploadSession(next http.Handler) http.Handler {
	return s.crossOrigin.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ss, id, err := s.lookupSession(r)
		if errors.Is(err, user.ErrSessionEnded) {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if err != nil {
			s.serverError(w, r, "read session", err)
			return
		}
		ctx := context.WithValue(context.WithValue(r.Context(), sessionKey{}, ss), sessionIDKey{}, id)
		ctx = audit.WithActor(ctx, ss.Actor(requestID(w, r)))
		next.ServeHTTP(w, r.WithContext(ctx))
	}))
}

// errFormToken refuses an upload without the session's form token.
var errFormToken = errors.New("the form is out of date (or came from another site): reload the page and try again")

// uiImportUpload receives the upload form, streaming the file to disk as the API does, and
// starts the import with the same service call as POST /api/v1/imports.
func (s *Server) uiImportUpload(w http.ResponseWriter, r *http.Request) {
	imp, ok := s.uploadGate(w, r) // before a byte of the file is read
	if !ok {
		return
	}
	_, sid := sessionOf(r.Context())
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		if !validCSRF(r, sid) {
			http.Error(w, errFormToken.Error(), http.StatusForbidden)
			return
		}
		s.uiError(w, r, "imports", http.StatusBadRequest, "Send the import with the upload form (it sends the file as multipart/form-data).")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUploadBytes)
	fields, path, partType, err := s.receiveForm(r, sid)
	started := false
	defer func() {
		if path != "" && !started {
			os.Remove(path)
		}
	}()
	if errors.Is(err, errFormToken) {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	if err == nil && path == "" {
		err = invalid("body.file", "choose the file to import", nil)
	}
	var req contact.ImportRequest
	if err == nil {
		req, err = s.importParams(formParams(fields), partType)
	}
	if err == nil {
		if req.FileName == "" {
			req.FileName = fields.Get("upload_name")
		}
		ss, _ := sessionOf(r.Context())
		req.Path, req.WorkspaceID, req.Source.WorkspaceID = path, ss.WorkspaceID, ss.WorkspaceID
		var im imports.Import
		im, err = imp.Start(r.Context(), req)
		if started = err == nil; started {
			http.Redirect(w, r, importURL(im.ID), http.StatusSeeOther)
			return
		}
	}
	status, field, msg, ok := formError(err)
	if !ok {
		s.uiFail(w, r, "imports", "upload", err)
		return
	}
	form := s.importForm(r, fields)
	form.Field, form.Error = field, msg
	s.renderUI(w, r, status, importFormPage(form))
}

// receiveForm reads the upload form: the fields, and the file part streamed to the upload
// directory once the form token has been seen. The file's own name is kept as upload_name.
func (s *Server) receiveForm(r *http.Request, sid string) (fields url.Values, path, partType string, err error) {
	_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	mr := multipart.NewReader(r.Body, params["boundary"])
	fields = url.Values{}
	tokenOK := tokenMatches(r.Header.Get("X-CSRF-Token"), sid)
	for n := 0; ; n++ {
		part, perr := mr.NextPart()
		if perr == io.EOF {
			break
		}
		if perr != nil {
			return fields, path, partType, uploadReadError(perr)
		}
		name := part.FormName()
		switch {
		case name == "file" && !tokenOK:
			return fields, path, partType, errFormToken
		case name == "file" && part.FileName() == "":
			continue // no file chosen: the browser sends an empty part
		case name == "file" && path != "":
			return fields, path, partType, invalid("body.file", "send one file per import", nil)
		case name == "file":
			partType = part.Header.Get("Content-Type")
			fields.Set("upload_name", filepath.Base(part.FileName()))
			if path, err = s.saveUpload(part, part.FileName()); err != nil {
				return fields, "", partType, err
			}
		case n >= maxFields:
			return fields, path, partType, huma.Error400BadRequest("the form has too many fields")
		default:
			b, rerr := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if rerr != nil {
				return fields, path, partType, uploadReadError(rerr)
			}
			if len(b) > maxFieldBytes {
				return fields, path, partType, invalid("body."+name, "a form field is limited to 64 KiB", nil)
			}
			if name == "csrf" {
				tokenOK = tokenOK || tokenMatches(string(b), sid)
				continue
			}
			fields.Add(name, string(b))
		}
	}
	if !tokenOK {
		return fields, path, partType, errFormToken
	}
	return fields, path, partType, nil
}

// tokenMatches reports whether got is the form token of session id.
func tokenMatches(got, id string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(user.CSRFToken(id))) == 1
}

// formParams turns the form's fields into the API's import parameters: the mapping box holds
// one COLUMN=TARGET a line, and each evidence field (ev_KEY) becomes evidence=KEY=VALUE.
func formParams(fields url.Values) url.Values {
	v := url.Values{}
	for k, vals := range fields {
		switch {
		case k == "upload_name":
		case k == "map":
			for _, val := range vals {
				for line := range strings.Lines(val) {
					if line = strings.TrimSpace(line); line != "" {
						v.Add("map", line)
					}
				}
			}
		case strings.HasPrefix(k, "ev_"):
			for _, val := range vals {
				if strings.TrimSpace(val) != "" {
					v.Add("evidence", strings.TrimPrefix(k, "ev_")+"="+val)
				}
			}
		default:
			v[k] = vals
		}
	}
	return v
}

// formError turns an upload's refusal into the field at fault and what to do; ok is false
// for an error that is not the user's to fix.
func formError(err error) (status int, field, msg string, ok bool) {
	switch {
	case errors.Is(err, contact.ErrEmptyFile):
		return http.StatusUnprocessableEntity, "file", "The file is empty: choose the file with the contacts.", true
	case errors.Is(err, contact.ErrInvalidImport):
		return http.StatusUnprocessableEntity, "", "The file cannot be imported: " + err.Error(), true
	}
	var em *huma.ErrorModel
	if !errors.As(err, &em) {
		return 0, "", "", false
	}
	msg = em.Detail
	for _, d := range em.Errors {
		if d == nil {
			continue
		}
		field = strings.TrimPrefix(strings.TrimPrefix(d.Location, "query."), "body.")
		if field == "body" {
			field = "file"
		}
		msg = d.Message
		break
	}
	if em.Status == http.StatusRequestEntityTooLarge {
		field = "file"
	}
	if field == "evidence" {
		field = "ev"
	}
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	if !strings.Contains(msg, "hoose the file") {
		msg += " Choose the file again before sending: the browser does not keep it."
	}
	return em.Status, field, msg, true
}

// describedBy names a field's help and, when it is at fault, its error message.
func (f uiImportForm) describedBy(name string) string {
	if f.Field == name {
		return "help-" + name + " err-" + name
	}
	return "help-" + name
}

// invalid is a field's aria-invalid.
func (f uiImportForm) invalid(name string) string {
	if f.Field == name {
		return "true"
	}
	return "false"
}

// evidenceLabel is an evidence key as words: double_opt_in is "Double opt in".
func evidenceLabel(key string) string {
	s := strings.ReplaceAll(key, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// byteSize formats an upload limit.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

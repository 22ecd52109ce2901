package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/danielgtaylor/huma/v2"
)

// rawUploadTypes are the Content-Types of a file sent as the whole request body.
var rawUploadTypes = map[string]bool{
	"text/csv": true, "text/plain": true, "application/x-ndjson": true, "application/jsonl": true, "application/octet-stream": true,
}

// Limits on the form fields of a multipart upload (the file part is limited by MaxUploadBytes).
const (
	maxFieldBytes = 64 << 10
	maxFields     = 200
)

// uploadImport streams an import file to DataDir/uploads and starts the import. It is a
// plain handler, not a huma operation, so that a file of gigabytes never sits in memory.
func (s *Server) uploadImport(w http.ResponseWriter, r *http.Request) {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "multipart/form-data" && !rawUploadTypes[mt]) {
		writeProblem(w, http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q cannot be imported: send the file as the body "+
			"with Content-Type text/csv, application/x-ndjson or application/octet-stream, or as the part \"file\" of multipart/form-data", ct))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUploadBytes)
	var req contact.ImportRequest
	if mt == "multipart/form-data" {
		req, err = s.receiveMultipart(r, params["boundary"])
	} else {
		req, err = s.receiveRaw(r, ct)
	}
	if err != nil {
		s.writeError(w, r, "receive import upload", err)
		return
	}
	// Once Start has the file, the importer owns it; until then (error or panic) it is ours to remove.
	started := false
	defer func() {
		if !started {
			os.Remove(req.Path)
		}
	}()
	ws := workspace(r.Context())
	req.WorkspaceID, req.Source.WorkspaceID = ws, ws
	im, err := s.imp.Start(r.Context(), req)
	started = err == nil
	if err != nil {
		switch {
		case errors.Is(err, contact.ErrEmptyFile):
			err = invalid("body", "the uploaded file is empty", nil)
		case errors.Is(err, contact.ErrInvalidImport):
			err = invalid("body", err.Error(), nil)
		}
		s.writeError(w, r, "start import", err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/imports/%d", im.ID))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(im)
}

// receiveRaw reads the parameters from the query and the file from the body.
func (s *Server) receiveRaw(r *http.Request, contentType string) (contact.ImportRequest, error) {
	req, err := s.importParams(r.URL.Query(), contentType)
	if err != nil {
		return req, err // checked before reading a byte of the file
	}
	if req.FileName == "" {
		req.FileName = "upload" + extFor(contentType)
		if _, p, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil && p["filename"] != "" {
			req.FileName = filepath.Base(p["filename"])
		}
	}
	req.Path, err = s.saveUpload(r.Body, req.FileName)
	return req, err
}

// receiveMultipart streams the "file" part to disk and reads the other parts as parameters,
// which add to those in the query.
func (s *Server) receiveMultipart(r *http.Request, boundary string) (req contact.ImportRequest, err error) {
	if boundary == "" {
		return req, huma.Error400BadRequest("the multipart Content-Type has no boundary")
	}
	mr := multipart.NewReader(r.Body, boundary)
	fields := url.Values{}
	var path, name, partType string
	defer func() {
		if err != nil && path != "" {
			os.Remove(path)
		}
	}()
	for n := 0; ; n++ {
		part, perr := mr.NextPart()
		if perr == io.EOF {
			break
		}
		if perr != nil {
			return req, uploadReadError(perr)
		}
		switch {
		case part.FormName() == "file" && path != "":
			return req, invalid("body.file", "send one file per import", nil)
		case part.FormName() == "file":
			name, partType = filepath.Base(part.FileName()), part.Header.Get("Content-Type")
			if path, err = s.saveUpload(part, name); err != nil {
				return req, err
			}
		case n >= maxFields:
			return req, huma.Error400BadRequest("the form has too many fields")
		default:
			b, rerr := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if rerr != nil {
				return req, uploadReadError(rerr)
			}
			if len(b) > maxFieldBytes {
				return req, invalid("body."+part.FormName(), "a form field is limited to 64 KiB", nil)
			}
			fields.Add(part.FormName(), string(b))
		}
	}
	if path == "" {
		return req, invalid("body.file", "the form has no part named \"file\": send the import file in it", nil)
	}
	v := r.URL.Query()
	for k, vals := range fields {
		v[k] = append(v[k], vals...)
	}
	if req, err = s.importParams(v, partType); err != nil {
		return req, err
	}
	if req.FileName == "" {
		req.FileName = name
	}
	req.Path = path
	return req, nil
}

package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/clearlist/clearlist/internal/privfile"
)

// saveUpload copies r into a new file under the upload directory and returns its path.
func (s *Server) saveUpload(r io.Reader, name string) (string, error) {
	dir := s.uploadDir()
	if err := privfile.MkdirAll(dir); err != nil {
		return "", fmt.Errorf("create upload directory: %w", err)
	}
	f, err := os.CreateTemp(dir, "import-*"+safeExt(name))
	if err != nil {
		return "", fmt.Errorf("create upload file: %w", err)
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n == 0 {
		err = invalid("body", "the uploaded file is empty", nil)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", uploadReadError(err)
	}
	return f.Name(), nil
}

// uploadReadError turns a failure to read the request body into a client error when it is one.
func uploadReadError(err error) error {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return huma.Error413RequestEntityTooLarge(fmt.Sprintf("the upload is larger than this server's limit of %d bytes; "+
			"split the file or ask the operator to raise the limit", tooBig.Limit))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, multipart.ErrMessageTooLarge):
		return huma.Error400BadRequest("the upload ended early or is malformed; send it again")
	}
	return err
}

// safeExt keeps a short, harmless extension of a client's file name, for people reading the directory.
func safeExt(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	if len(ext) < 2 || len(ext) > 8 || strings.Trim(ext[1:], "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return ".upload"
	}
	return ext
}

// extFor names a raw upload after its Content-Type.
func extFor(contentType string) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "text/csv":
		return ".csv"
	case "application/x-ndjson", "application/jsonl":
		return ".jsonl"
	}
	return ""
}

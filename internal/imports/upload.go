package imports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
)

// uploadRequest is what an uploaded import needs to be run, and resumed, by its job or by
// another process: it is kept beside the upload, as uploads/import-ID.json, until the import
// is done. The job itself carries only the workspace and import ids.
type uploadRequest struct {
	ImportID       int64               `json:"import_id"`
	WorkspaceID    int64               `json:"workspace_id"`
	Path           string              `json:"path"`
	FileName       string              `json:"file_name"`
	ReportPath     string              `json:"report_path"`
	List           string              `json:"list,omitempty"`
	Map            contact.Mapping     `json:"map,omitempty"`
	DropUndeclared bool                `json:"drop_undeclared,omitempty"`
	DefaultRegion  string              `json:"default_region,omitempty"`
	DefaultCountry string              `json:"default_country,omitempty"`
	DefaultKind    string              `json:"default_contact_kind,omitempty"`
	ConsentPurpose string              `json:"consent_purpose,omitempty"`
	Read           contact.ReadOptions `json:"read"`
	Verify         bool                `json:"verify,omitempty"`
	From           string              `json:"from,omitempty"`
	ListStatus     string              `json:"list_status,omitempty"`
	// Actor uploaded the file: the import's changes are audited as theirs.
	Actor *audit.Actor `json:"actor,omitempty"`
}

// uploadsDir is where uploads and their requests are kept.
func (s *Service) uploadsDir() string { return filepath.Join(s.cfg.DataDir, "uploads") }

// requestPath is where the request of upload import id is kept.
func (s *Service) requestPath(id int64) string {
	return filepath.Join(s.uploadsDir(), fmt.Sprintf("import-%d.json", id))
}

// saveRequest records what running the upload import needs; the paths are made absolute so
// that a command run from another folder finds the upload.
func (s *Service) saveRequest(ctx context.Context, im Import, req contact.ImportRequest) error {
	j := uploadRequest{ImportID: im.ID, WorkspaceID: im.WorkspaceID, Path: req.Path, FileName: req.FileName, ReportPath: im.ReportPath,
		List: req.List, Map: req.Map, DropUndeclared: req.DropUndeclared, DefaultRegion: req.DefaultRegion, Read: req.Read, Verify: req.Verify,
		ConsentPurpose: req.ConsentPurpose, From: req.From, ListStatus: req.ListStatus}
	j.DefaultCountry, j.DefaultKind = req.DefaultCountry, req.DefaultKind
	if audit.HasActor(ctx) {
		a := audit.ActorFrom(ctx)
		j.Actor = &a
	}
	if abs, err := filepath.Abs(j.Path); err == nil {
		j.Path = abs
	}
	if abs, err := filepath.Abs(j.ReportPath); err == nil && j.ReportPath != "" {
		j.ReportPath = abs
	}
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	path := s.requestPath(im.ID)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("record upload import %d: %w", im.ID, err)
	}
	return os.Rename(tmp, path)
}

// loadRequest reads the request of upload import id.
func (s *Service) loadRequest(id int64) (uploadRequest, error) {
	var j uploadRequest
	b, err := os.ReadFile(s.requestPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return j, fmt.Errorf("import %d has no upload in %s: resume an import of a local file with `clearlist import --resume %d FILE` (or set --data-dir to the server's): %w",
			id, s.uploadsDir(), id, errNoUpload)
	}
	if err != nil {
		return j, err
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return j, fmt.Errorf("the record of upload import %d (%s) is damaged: %w", id, s.requestPath(id), err)
	}
	return j, nil
}

// errNoUpload says that an import's upload is not in this data folder.
var errNoUpload = errors.New("no upload")

// request rebuilds the import request of the upload.
func (j uploadRequest) request() contact.ImportRequest {
	req := contact.ImportRequest{WorkspaceID: j.WorkspaceID, Path: j.Path, FileName: j.FileName, ReportPath: j.ReportPath,
		List: j.List, Map: j.Map, DropUndeclared: j.DropUndeclared, DefaultRegion: j.DefaultRegion, Read: j.Read, Verify: j.Verify,
		ConsentPurpose: j.ConsentPurpose, From: j.From, ListStatus: j.ListStatus}
	req.DefaultCountry, req.DefaultKind = j.DefaultCountry, j.DefaultKind
	return req
}

// senderPath is where the sender summary of upload import id (an import --from) is kept,
// for GET /api/v1/imports/{id}: the import's row has no place for it.
func (s *Service) senderPath(id int64) string {
	return filepath.Join(s.uploadsDir(), fmt.Sprintf("import-%d.sender.json", id))
}

// saveSender keeps the sender summary of upload import id.
func (s *Service) saveSender(id int64, sum *contact.SenderSummary) error {
	if sum == nil {
		return nil
	}
	b, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	path := s.senderPath(id)
	if err := os.WriteFile(path+".tmp", b, 0o600); err != nil {
		return fmt.Errorf("record the sender summary of import %d: %w", id, err)
	}
	return os.Rename(path+".tmp", path)
}

// loadSender reads the sender summary of import id, nil when there is none.
func (s *Service) loadSender(id int64) *contact.SenderSummary {
	b, err := os.ReadFile(s.senderPath(id))
	if err != nil {
		return nil
	}
	var sum contact.SenderSummary
	if json.Unmarshal(b, &sum) != nil {
		return nil
	}
	return &sum
}

// forgetUpload removes the upload and its request once the import is done (or can never be).
func (s *Service) forgetUpload(id int64, path string) {
	os.Remove(path)
	os.Remove(s.requestPath(id))
}

// ResumeUpload continues an import of workspace ws that was uploaded to the server, from its
// stored upload, after its last committed row (`clearlist import --resume ID`, in the
// foreground); the upload is removed when the import is done.
func (s *Service) ResumeUpload(ctx context.Context, ws, id int64, progress func(contact.Progress)) (contact.Summary, error) {
	j, err := s.loadRequest(id)
	if err != nil {
		return contact.Summary{}, err
	}
	if j.WorkspaceID != ws {
		return contact.Summary{}, fmt.Errorf("import %d belongs to another workspace: give that workspace with --workspace", id)
	}
	req := j.request()
	req.Progress = progress
	sum, err := s.Import(ctx, ws, req, id)
	if err == nil {
		s.forgetUpload(id, j.Path)
	}
	return sum, err
}

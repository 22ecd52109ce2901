package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// uploadJob is what an uploaded import needs to be resumed by another process: it is kept
// beside the upload, as uploads/import-ID.json, until the import is done.
type uploadJob struct {
	ImportID       int64               `json:"import_id"`
	WorkspaceID    int64               `json:"workspace_id"`
	Path           string              `json:"path"`
	FileName       string              `json:"file_name"`
	ReportPath     string              `json:"report_path"`
	List           string              `json:"list,omitempty"`
	Map            contact.Mapping     `json:"map,omitempty"`
	DropUndeclared bool                `json:"drop_undeclared,omitempty"`
	DefaultRegion  string              `json:"default_region,omitempty"`
	Read           contact.ReadOptions `json:"read"`
	Verify         bool                `json:"verify,omitempty"`
}

// uploadJobPath is where the job of upload import id is kept.
func (a *App) uploadJobPath(id int64) string {
	return filepath.Join(a.Cfg.DataDir, "uploads", fmt.Sprintf("import-%d.json", id))
}

// saveUploadJob records what resuming the upload import needs; the path is made absolute
// so that a command run from another folder finds the upload.
func (a *App) saveUploadJob(im store.Import, req contact.ImportRequest) error {
	j := uploadJob{ImportID: im.ID, WorkspaceID: im.WorkspaceID, Path: req.Path, FileName: req.FileName, ReportPath: im.ReportPath,
		List: req.List, Map: req.Map, DropUndeclared: req.DropUndeclared, DefaultRegion: req.DefaultRegion, Read: req.Read, Verify: req.Verify}
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
	path := a.uploadJobPath(im.ID)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("record upload import %d: %w", im.ID, err)
	}
	return os.Rename(tmp, path)
}

// loadUploadJob reads the job of upload import id.
func (a *App) loadUploadJob(id int64) (uploadJob, error) {
	var j uploadJob
	b, err := os.ReadFile(a.uploadJobPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return j, fmt.Errorf("import %d has no upload in %s: resume an import of a local file with `clearlist import --resume %d FILE` (or set --data-dir to the server's)",
			id, filepath.Join(a.Cfg.DataDir, "uploads"), id)
	}
	if err != nil {
		return j, err
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return j, fmt.Errorf("the record of upload import %d (%s) is damaged: %w", id, a.uploadJobPath(id), err)
	}
	return j, nil
}

// request rebuilds the import request of the job.
func (j uploadJob) request() contact.ImportRequest {
	return contact.ImportRequest{WorkspaceID: j.WorkspaceID, Path: j.Path, FileName: j.FileName, ReportPath: j.ReportPath,
		List: j.List, Map: j.Map, DropUndeclared: j.DropUndeclared, DefaultRegion: j.DefaultRegion, Read: j.Read, Verify: j.Verify}
}

// forgetUpload removes the upload and its job once the import is done (or can never be).
func (a *App) forgetUpload(id int64, path string) {
	os.Remove(path)
	os.Remove(a.uploadJobPath(id))
}

// ResumeUpload continues an import that was uploaded to the server, from its stored upload,
// after its last committed row; the upload is removed when the import is done.
func (a *App) ResumeUpload(ctx context.Context, id int64, progress func(contact.Progress)) (contact.Summary, error) {
	j, err := a.loadUploadJob(id)
	if err != nil {
		return contact.Summary{}, err
	}
	if j.WorkspaceID != a.Workspace.ID {
		return contact.Summary{}, fmt.Errorf("import %d belongs to another workspace: give that workspace with --workspace", id)
	}
	req := j.request()
	req.Progress = progress
	sum, err := a.Import(ctx, req, id)
	if err == nil {
		a.forgetUpload(id, j.Path)
	}
	return sum, err
}

// recover takes up, at the server's start, the imports a stopped process left unfinished:
// an upload (its job is in uploads/) resumes in the background after its last committed
// row; an import of a local file that no process runs any more is marked failed, saying how
// to resume it. An import another process still runs is left to it.
func (b *backgroundImporter) recover(ctx context.Context) error {
	a := b.a
	jobs, err := filepath.Glob(filepath.Join(a.Cfg.DataDir, "uploads", "import-*.json"))
	if err != nil {
		return err
	}
	withJob := map[int64]bool{}
	for _, path := range jobs {
		var id int64
		if _, err := fmt.Sscanf(filepath.Base(path), "import-%d.json", &id); err != nil {
			continue
		}
		withJob[id] = true
		if err := b.resume(ctx, id); err != nil {
			a.Log.Error("resume upload import", "import", id, "err", err)
		}
	}
	running, err := a.Store.UnfinishedImports(ctx)
	if err != nil {
		return err
	}
	for _, im := range running {
		if withJob[im.ID] {
			continue
		}
		if err := a.failOrphan(ctx, im); err != nil {
			a.Log.Error("mark an unfinished import failed", "import", im.ID, "err", err)
		}
	}
	return nil
}

// resume continues upload import id from its job, in the background.
func (b *backgroundImporter) resume(ctx context.Context, id int64) error {
	a := b.a
	j, err := a.loadUploadJob(id)
	if err != nil {
		return err
	}
	im, err := a.Store.Import(ctx, j.WorkspaceID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && im.Status == store.ImportDone) {
		a.forgetUpload(id, j.Path) // finished (or deleted with its workspace): nothing left to do
		return nil
	}
	if err != nil {
		return err
	}
	req := j.request()
	p, err := a.prepareImport(ctx, req, id)
	switch {
	case errors.Is(err, store.ErrImportClaimed):
		a.Log.Info("import is run by another process", "import", id)
		return nil
	case errors.Is(err, contact.ErrInvalidImport) || errors.Is(err, fs.ErrNotExist):
		// The upload is gone or unreadable: the import cannot go on.
		msg := fmt.Sprintf("the import could not be resumed: %v", err)
		a.forgetUpload(id, j.Path)
		return a.Store.FinishImport(ctx, j.WorkspaceID, id, store.ImportFailed, msg, 0, 0)
	case err != nil:
		return err
	}
	a.Log.Info("resuming import", "import", id, "file", j.FileName, "after_row", p.resume)
	b.run(ctx, p)
	return nil
}

// failOrphan marks an import of a local file failed when no process runs it any more.
func (a *App) failOrphan(ctx context.Context, im store.Import) error {
	release, err := a.Store.ClaimImport(ctx, im.ID)
	if errors.Is(err, store.ErrImportClaimed) {
		return nil
	}
	if err != nil {
		return err
	}
	defer release()
	cur, err := a.Store.Import(ctx, im.WorkspaceID, im.ID)
	if err != nil || cur.Status != store.ImportRunning {
		return err
	}
	msg := fmt.Sprintf("the process running this import stopped (killed or crashed) after row %d; the rows up to it are stored: "+
		"continue with `clearlist import --resume %d FILE`", cur.RowsDone, im.ID)
	a.Log.Warn("an unfinished import was left by a stopped process", "import", im.ID, "rows_done", cur.RowsDone)
	return a.Store.FinishImport(ctx, im.WorkspaceID, im.ID, store.ImportFailed, msg, 0, 0)
}

// trimReport keeps, of the error report of an import resumed after row last, the header and
// the rows up to last: the rows after it are read again and reported by the resumed run.
func trimReport(path string, last int) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read error report: %w", err)
	}
	defer f.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("rewrite error report: %w", err)
	}
	defer os.Remove(tmp.Name())
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	w := csv.NewWriter(tmp)
	for i := 0; ; i++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			break // a line cut by the kill: everything before it is kept
		}
		if i > 0 {
			if n, err := strconv.Atoi(rec[0]); err != nil || n > last {
				continue
			}
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tmp.Close()
		return fmt.Errorf("rewrite error report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("rewrite error report: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

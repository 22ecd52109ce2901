package imports

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
)

// Queue runs uploads as background jobs (River, in serve). A job names only the workspace
// and the import; what the import needs is in the upload's request file.
type Queue interface {
	// EnqueueImport inserts the job that runs upload import id of workspace ws, unless one
	// is waiting or running.
	EnqueueImport(ctx context.Context, ws, id int64) error
	// ImportJobs lists the jobs of uploads that have not finished.
	ImportJobs(ctx context.Context) ([]QueuedImport, error)
}

// QueuedImport is an unfinished job of an upload.
type QueuedImport struct {
	JobID       int64
	WorkspaceID int64
	ImportID    int64
}

// Uploads starts the server's uploaded imports as jobs of the queue.
type Uploads struct {
	*Service
	q Queue
}

// Uploads returns the service that starts uploads as jobs of q.
func (s *Service) Uploads(q Queue) *Uploads { return &Uploads{Service: s, q: q} }

// Start checks the upload at once (bad files and columns are answered in the response),
// records the import and its request, and queues the job that imports it. It owns the
// uploaded file from here on.
func (u *Uploads) Start(ctx context.Context, req contact.ImportRequest) (Import, error) {
	if req.DryRun {
		return Import{}, contact.InvalidImport(errors.New("dry_run is not available for uploads; use `clearlist import --dry-run FILE`"))
	}
	if req.ReportPath == "" {
		req.ReportPath = filepath.Join(filepath.Dir(req.Path), filepath.Base(req.Path)+".errors.csv")
	}
	p, err := u.prepareImport(ctx, req, 0)
	if err != nil {
		return Import{}, err
	}
	p.file.Close()
	p.done() // the job claims it
	fail := func(err error) (Import, error) {
		// Without its request or its job the import would never run: refuse it now.
		u.forgetUpload(p.im.ID, req.Path)
		u.st.FinishImport(context.WithoutCancel(ctx), p.im.WorkspaceID, p.im.ID, Failed, err.Error(), 0, 0)
		return Import{}, err
	}
	if err := u.saveRequest(ctx, p.im, p.req); err != nil {
		return fail(err)
	}
	if err := u.q.EnqueueImport(ctx, p.im.WorkspaceID, p.im.ID); err != nil {
		return fail(fmt.Errorf("queue import %d: %w", p.im.ID, err))
	}
	return p.im, nil
}

// ErrUnrunnable marks an upload that can never be imported (its file is gone or unreadable,
// or it was refused): its job is not tried again.
var ErrUnrunnable = errors.New("the upload cannot be imported")

// RunUpload runs upload import id of workspace ws, from its start or after its last
// committed row, under the claim that makes this process the only one running it. It is the
// work of the import job. An import that is done already is left alone; one another
// process holds gives ErrClaimed. The changes are audited as the uploader's.
func (s *Service) RunUpload(ctx context.Context, ws, id int64) error {
	im, err := s.st.Import(ctx, ws, id)
	if errors.Is(err, errs.ErrNotFound) {
		return nil // deleted with its workspace
	}
	if err != nil {
		return err
	}
	j, jerr := s.loadRequest(id)
	if Ended(im.Status) {
		if jerr == nil {
			s.forgetUpload(id, j.Path)
		}
		// finished by another job or `clearlist import --resume`, or cancelled (also before a
		// restart: a cancelled import is never resumed)
		return nil
	}
	if jerr != nil {
		return jerr // another server's upload, or a data folder not shared: retried later
	}
	if j.WorkspaceID != ws {
		return fmt.Errorf("upload import %d belongs to workspace %d, not %d: %w", id, j.WorkspaceID, ws, ErrUnrunnable)
	}
	if j.Actor != nil {
		ctx = audit.WithActor(ctx, *j.Actor)
	}
	req := j.request()
	log := s.log.With("import", id, "file", j.FileName)
	p, err := s.prepareImport(ctx, req, id)
	switch {
	case errors.Is(err, ErrCancelled): // cancelled meanwhile
		s.forgetUpload(id, j.Path)
		log.Info("import cancelled before it ran", "err", err)
		return nil
	case errors.Is(err, ErrClaimed):
		return err
	case errors.Is(err, contact.ErrInvalidImport) || errors.Is(err, fs.ErrNotExist):
		// The upload is gone or unreadable: the import cannot go on.
		s.forgetUpload(id, j.Path)
		if ferr := s.st.FinishImport(context.WithoutCancel(ctx), ws, id, Failed, fmt.Sprintf("the import could not be run: %v", err), 0, 0); ferr != nil {
			return ferr
		}
		return fmt.Errorf("%w: %w", ErrUnrunnable, err)
	case err != nil:
		return err
	}
	p.resumable = true
	if p.resume > 0 {
		log.Info("resuming import", "after_row", p.resume)
	}
	sum, err := s.runImport(ctx, p)
	if errors.Is(err, ErrCancelled) {
		s.forgetUpload(id, j.Path)
		log.Info("import cancelled; its committed rows are kept", "err", err)
		return nil
	}
	if errors.Is(err, contact.ErrInvalidImport) {
		log.Error("import failed", "err", err)
		s.forgetUpload(id, j.Path)
		return fmt.Errorf("%w: %w", ErrUnrunnable, err)
	}
	if err != nil && ctx.Err() != nil {
		log.Info("import stopped with the server; its job resumes it after the last committed row")
		return err
	}
	if err != nil {
		log.Error("import stopped; the upload is kept and its job resumes it", "err", err, "path", j.Path)
		return err
	}
	s.forgetUpload(id, j.Path)
	log.Info("import done", "rows", sum.Rows, "inserted", sum.Inserted, "updated", sum.Updated, "failed", sum.Failed, "warnings", sum.Warnings)
	if j.Verify && s.cfg.AfterUpload != nil {
		s.cfg.AfterUpload(ctx, ws, j.List, log)
	}
	return nil
}

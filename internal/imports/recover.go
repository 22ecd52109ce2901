package imports

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/clearlist/clearlist/internal/errs"
)

// Recover takes up, at the server's start, the imports a stopped process left unfinished
// (the jobs a killed server left running are the queue's to take up):
//   - an upload with a request in uploads/ but no unfinished job (the server stopped between
//     the two, or the upload predates the queue) gets a job;
//   - an import of a local file that no process runs any more is marked failed, saying how
//     to resume it.
//
// An import another process still runs is left to it.
func (u *Uploads) Recover(ctx context.Context) error {
	queued, err := u.q.ImportJobs(ctx)
	if err != nil {
		return err
	}
	hasJob := map[int64]bool{}
	for _, j := range queued {
		hasJob[j.ImportID] = true
	}
	paths, err := filepath.Glob(filepath.Join(u.uploadsDir(), "import-*.json"))
	if err != nil {
		return err
	}
	withRequest := map[int64]bool{}
	for _, path := range paths {
		var id int64
		if _, err := fmt.Sscanf(filepath.Base(path), "import-%d.json", &id); err != nil {
			continue
		}
		withRequest[id] = true
		if hasJob[id] {
			continue
		}
		if err := u.requeue(ctx, id); err != nil {
			u.log.Error("queue an upload left without its job", "import", id, "err", err)
		}
	}
	running, err := u.st.UnfinishedImports(ctx)
	if err != nil {
		return err
	}
	for _, im := range running {
		if withRequest[im.ID] || hasJob[im.ID] {
			continue
		}
		if err := u.failOrphan(ctx, im); err != nil {
			u.log.Error("mark an unfinished import failed", "import", im.ID, "err", err)
		}
	}
	return nil
}

// requeue gives upload import id a job, unless it is done (then its upload is removed).
func (u *Uploads) requeue(ctx context.Context, id int64) error {
	j, err := u.loadRequest(id)
	if err != nil {
		return err
	}
	im, err := u.st.Import(ctx, j.WorkspaceID, id)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && Ended(im.Status)) {
		u.forgetUpload(id, j.Path) // finished, cancelled (or deleted with its workspace): nothing left to do
		return nil
	}
	if err != nil {
		return err
	}
	u.log.Info("queueing an upload left without its job", "import", id, "rows_done", im.RowsDone)
	return u.q.EnqueueImport(ctx, j.WorkspaceID, id)
}

// failOrphan marks an import of a local file failed when no process runs it any more.
func (s *Service) failOrphan(ctx context.Context, im Import) error {
	release, err := s.st.ClaimImport(ctx, im.ID)
	if errors.Is(err, ErrClaimed) {
		return nil
	}
	if err != nil {
		return err
	}
	defer release()
	cur, err := s.st.Import(ctx, im.WorkspaceID, im.ID)
	if err != nil || cur.Status != Running {
		return err
	}
	msg := fmt.Sprintf("the process running this import stopped (killed or crashed) after row %d; the rows up to it are stored: "+
		"continue with `clearlist import --resume %d FILE`", cur.RowsDone, im.ID)
	s.log.Warn("an unfinished import was left by a stopped process", "import", im.ID, "rows_done", cur.RowsDone)
	return s.st.FinishImport(ctx, im.WorkspaceID, im.ID, Failed, msg, 0, 0)
}

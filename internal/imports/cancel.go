package imports

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
)

// Cancel cancels import id of workspace ws, queued or running, in one transaction with its
// audit entry (import.cancel, naming who cancelled it and the counts so far). The batches
// committed before stay, each whole with its consent ledger entries; the run stops at its
// next batch, which is not written, and the import is never resumed. An import that has
// ended (done, failed or cancelled) gives ErrNotCancellable, saying its state.
func (s *Service) Cancel(ctx context.Context, ws, id int64) (Import, error) {
	by := starter(ctx)
	if a := audit.ActorFrom(ctx); a.Kind == audit.CLI && a.ID != "" {
		by = "cli " + a.ID // the OS user, not the command line
	}
	im, err := s.st.CancelImport(ctx, ws, id, by)
	if errors.Is(err, ErrNotCancellable) {
		return im, fmt.Errorf("import %d %s: %w", id, endedWords(im), ErrNotCancellable)
	}
	if err != nil {
		return Import{}, err
	}
	s.log.Info("import cancelled", "import", id, "by", im.CancelledBy, "rows_done", im.RowsDone)
	return im, nil
}

// endedWords says how an import that can no longer be cancelled ended.
func endedWords(im Import) string {
	switch im.Status {
	case Done:
		return "has finished (done)"
	case Failed:
		return "has failed: resume it with `clearlist import --resume` or start a new import"
	case Cancelled:
		if im.CancelledBy != "" {
			return "was cancelled already, by " + im.CancelledBy
		}
		return "was cancelled already"
	}
	return "is " + im.Status
}

// cancelledError says that import im was cancelled, by whom and what it kept.
func cancelledError(im Import) error {
	by := ""
	if im.CancelledBy != "" {
		by = " by " + im.CancelledBy
	}
	return fmt.Errorf("import %d %w%s after row %d; the rows up to it are stored "+
		"(%d new, %d updated, %d rejected) and nothing after it",
		im.ID, ErrCancelled, by, im.RowsDone, im.Inserted, im.Updated, im.Failed)
}

// endCancelled completes the run of an import that was cancelled while it ran: the error
// report keeps the rows up to the last committed one (the rows read after it were not
// imported), and the summary gives the import's committed counts.
func (s *Service) endCancelled(ctx context.Context, p *preparedImport, sum *contact.Summary, rp string) error {
	im, err := s.st.Import(context.WithoutCancel(ctx), p.req.WorkspaceID, p.im.ID)
	if err != nil {
		return err
	}
	sum.Rows = int(im.RowsDone) - p.resume
	sum.Inserted, sum.Updated, sum.Unchanged, sum.Skipped = int(im.Inserted), int(im.Updated), int(im.Unchanged), int(im.Skipped)
	sum.Failed, sum.Warnings, sum.Consents = int(im.Failed), int(im.Warnings), int(im.Consents)
	if err := trimReport(rp, int(im.RowsDone)); err != nil {
		return err
	}
	if _, err := os.Stat(rp); err != nil || onlyHeader(rp) {
		os.Remove(rp)
	} else {
		sum.ReportPath = rp
	}
	return cancelledError(im)
}

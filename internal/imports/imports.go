// Package imports runs imports of contact files and exports of contacts: the checks before
// an import, its source and tracking row, the pipeline run with its error report, resuming
// after a stop, uploads to the server (run as background jobs) and exports. It declares the
// narrow Store it needs; the store implements it.
package imports

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
)

// Import is the tracked state of one import run: what it wrote so far and how it ended.
type Import struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"-"`
	SourceID    int64  `json:"source_id"`
	ListID      *int64 `json:"list_id,omitempty"`
	FileName    string `json:"file_name"`
	Status      string `json:"status"` // running, done, failed, cancelled
	OnConflict  string `json:"on_conflict"`
	RowsDone    int64  `json:"rows_done"` // the file's rows up to this number are committed
	Inserted    int64  `json:"inserted"`
	Updated     int64  `json:"updated"`
	Skipped     int64  `json:"skipped"`
	Unchanged   int64  `json:"unchanged"`
	Failed      int64  `json:"failed"`
	Warnings    int64  `json:"warnings"`        // rows stored with a value left out, each in the error report
	Consents    int64  `json:"consent_entries"` // consent ledger entries the consent columns wrote
	ReportPath  string `json:"-"`               // a server path: clients fetch the report through the API
	Error       string `json:"error,omitempty"`
	// Sender is what an upload of another sender's export (from=) held, once it is done.
	Sender *contact.SenderSummary `json:"sender,omitempty"`
	// StartedBy names who started the import (the audit actor of its upload), "" for
	// imports recorded before it was kept.
	StartedBy string `json:"started_by,omitempty"`
	// CancelledBy names who cancelled the import, as StartedBy does; "" unless cancelled.
	CancelledBy string     `json:"cancelled_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

// Import statuses.
const (
	Running = "running"
	Done    = "done"
	Failed  = "failed"
	// Cancelled imports were stopped on request (Service.Cancel): the batches committed
	// before stay, nothing after them is written, and they are never resumed.
	Cancelled = "cancelled"
)

// Ended says whether an import with status st has ended for good: done or cancelled. A
// failed import can still be resumed.
func Ended(st string) bool { return st == Done || st == Cancelled }

// ErrCancelled says that the import was cancelled: a batch is not written, a resume refused.
// Its text follows the import it names: "import 5 was cancelled".
var ErrCancelled = errors.New("was cancelled")

// ErrNotCancellable says that the import has ended (done, failed or cancelled), so there is
// nothing left to cancel.
var ErrNotCancellable = errors.New("only a queued or running import can be cancelled")

// ErrClaimed says that another process is running the import.
var ErrClaimed = errors.New("another process is running this import; wait for it to end (see `clearlist imports`) or stop that process")

// Writer writes an import's batches on a connection of its own; Close releases it.
type Writer interface {
	contact.BatchWriter
	Close() error
}

// Store is what imports and exports need of the database.
type Store interface {
	Attributes(ctx context.Context, ws int64) ([]contact.Attribute, error)
	// StartImport records the import's source and its run in one transaction; the import's
	// one audit entry is written when it ends (FinishImport).
	StartImport(ctx context.Context, src contact.Source, im Import) (contact.Source, Import, error)
	Import(ctx context.Context, ws, id int64) (Import, error)
	// Imports lists the workspace's imports with an id below before (0: the newest), newest first.
	Imports(ctx context.Context, ws, before int64, limit int) ([]Import, error)
	UnfinishedImports(ctx context.Context) ([]Import, error)
	// FinishImport records how an import ended; ErrCancelled when it was cancelled meanwhile
	// (the cancel stands).
	FinishImport(ctx context.Context, ws, id int64, status, errText string, rowsDone, failed int64) error
	// CancelImport marks a running import of the workspace cancelled by by, with its audit
	// entry, in one transaction, and returns it; ErrNotCancellable with the import as it is
	// when it is not running.
	CancelImport(ctx context.Context, ws, id int64, by string) (Import, error)
	// ClaimImport makes this process the one running import id until release is called or
	// the process dies; ErrClaimed when another process holds it.
	ClaimImport(ctx context.Context, id int64) (release func(), err error)
	ImportWriters() int
	ImportWriter(ctx context.Context) (Writer, error)
	EachContact(ctx context.Context, ws int64, f contact.Filter, fn func(contact.Contact) error) error
	// Purposes, ContactByEmail and ConsentState check the consent columns of a file: a
	// purpose must exist, and a row that only confirms needs a grant in the ledger.
	Purposes(ctx context.Context, ws int64) ([]consent.Purpose, error)
	// CreateSource records the source of rows with evidence of their own.
	CreateSource(ctx context.Context, src contact.Source) (contact.Source, error)
	Source(ctx context.Context, ws, id int64) (contact.Source, error)
	ContactByEmail(ctx context.Context, ws int64, canonical string) (contact.Contact, error)
	ConsentState(ctx context.Context, ws, contactID int64, purpose string, ch consent.Channel) (consent.Status, error)
}

// Lists finds and creates the lists imports fill and exports read (the contact service,
// which checks a new list's name).
type Lists interface {
	EnsureList(ctx context.Context, ws int64, name string) (contact.List, error)
	ListByName(ctx context.Context, ws int64, name string) (contact.List, error)
}

// Screener screens exports against the do-not-contact list.
type Screener interface {
	// Blocked returns whether a contact (its canonical e-mail and phone) is on the
	// workspace's do-not-contact list for any channel and purpose, caught up with the
	// entries every process recorded.
	Blocked(ctx context.Context, ws int64) (func(email, phone string) bool, error)
}

// Config is what the service needs besides the store.
type Config struct {
	DataDir       string // uploads and their request files are kept in DataDir/uploads
	DefaultRegion string // ISO 3166 region for phone numbers written without +CC
	Log           *slog.Logger
	// Suppressor records the do-not-contact requests of an import --from; without it such
	// an import is refused unless it is a dry run.
	Suppressor Suppressor
	// AfterUpload, if set, is called when an upload asking for verification ends well: it
	// checks the addresses of the list (all of the workspace's when list is "") never checked.
	AfterUpload func(ctx context.Context, ws int64, list string, log *slog.Logger)
}

// Service runs imports and exports.
type Service struct {
	st    Store
	lists Lists
	scr   Screener
	cfg   Config
	log   *slog.Logger
}

// New returns the service.
func New(st Store, lists Lists, scr Screener, cfg Config) *Service {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, lists: lists, scr: scr, cfg: cfg, log: log}
}

// Get returns import id of the workspace.
func (s *Service) Get(ctx context.Context, ws, id int64) (Import, error) {
	im, err := s.st.Import(ctx, ws, id)
	if err == nil {
		im.Sender = s.loadSender(id)
	}
	return im, err
}

// List returns the workspace's latest imports, newest first.
func (s *Service) List(ctx context.Context, ws int64, limit int) ([]Import, error) {
	return s.st.Imports(ctx, ws, 0, limit)
}

// Page returns at most limit of the workspace's imports with an id below before (0: from
// the newest), newest first: a page of the listing.
func (s *Service) Page(ctx context.Context, ws, before int64, limit int) ([]Import, error) {
	return s.st.Imports(ctx, ws, before, limit)
}

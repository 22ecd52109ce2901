package contact

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/policy"
)

// Conflict says what an import does with a row whose e-mail address is already a contact.
type Conflict string

// The conflict modes of an import.
const (
	ConflictUpdate Conflict = "update" // merge the row's phone and attributes into the contact
	ConflictSkip   Conflict = "skip"   // leave the existing contact as it is (it still gains the source and list)
)

// ParseConflict checks an --on-conflict value.
func ParseConflict(s string) (Conflict, error) {
	switch Conflict(s) {
	case ConflictUpdate, ConflictSkip:
		return Conflict(s), nil
	case "":
		return ConflictUpdate, nil
	}
	return "", fmt.Errorf("unknown on-conflict mode %q: use update or skip", s)
}

// Batch is a set of normalised rows written to the store in one transaction together with
// their provenance (source) and list membership, so that no contact ever exists without them.
type Batch struct {
	WorkspaceID int64
	SourceID    int64
	ListID      int64 // 0: no list
	ImportID    int64 // 0: not part of a tracked import
	OnConflict  Conflict
	Rows        []Row
	LastRow     int // the highest row number of the file covered by this batch (for resuming)
	Failed      int // rows of the file in this batch's range that failed validation
	Warnings    int // rows of this batch stored with a value left out (in the error report)
	Now         time.Time
	// Turn, when set, blocks until every batch queued before this one has committed, and
	// fails if one of them did not. Writers call it just before they record progress and
	// commit, so that batches written in parallel still commit in file order.
	Turn     func(ctx context.Context) error
	finished chan struct{}
}

// BatchResult counts what a batch did.
type BatchResult struct {
	Inserted  int // new contacts
	Updated   int // existing contacts the rows changed
	Unchanged int // existing contacts the rows matched exactly (update mode)
	Skipped   int // existing contacts left alone (skip mode) or repeated rows
	Consents  int // consent ledger entries written
}

// Add sums two results.
func (r *BatchResult) Add(o BatchResult) {
	r.Inserted += o.Inserted
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Skipped += o.Skipped
	r.Consents += o.Consents
}

// BatchWriter writes import batches; the store implements it.
type BatchWriter interface {
	WriteBatch(ctx context.Context, b *Batch) (BatchResult, error)
}

// ImportRequest is everything a user says about one import, from the CLI or the API.
type ImportRequest struct {
	WorkspaceID    int64    `json:"-"`
	Path           string   `json:"-"`         // the file on disk
	FileName       string   `json:"file_name"` // as the user named it
	List           string   `json:"list"`      // list name; created if missing; "" = no list
	Source         Source   `json:"source"`    // provenance; Type is required
	OnConflict     Conflict `json:"on_conflict"`
	Map            Mapping  `json:"map,omitempty"`
	DropUndeclared bool     `json:"drop_undeclared"`
	DefaultRegion  string   `json:"default_region,omitempty"`
	DefaultCountry string   `json:"default_country,omitempty"`      // country of rows without one (ISO 3166-1 alpha-2)
	DefaultKind    string   `json:"default_contact_kind,omitempty"` // contact_kind of rows without one
	// ConsentPurpose is the purpose of every row's consent cells that names none (--consent-purpose).
	ConsentPurpose string `json:"consent_purpose,omitempty"`
	// From names the sender whose export the file is (mailchimp, listmonk; --from): the file
	// is read by internal/imports/formats into canonical columns and do-not-contact entries.
	// "" = a plain contact file.
	From string `json:"from,omitempty"`
	// ListStatus is the listmonk list subscription status of rows without one (--list-status).
	ListStatus string         `json:"list_status,omitempty"`
	Read       ReadOptions    `json:"-"`
	DryRun     bool           `json:"dry_run"`
	Verify     bool           `json:"verify,omitempty"` // verify the addresses after the import (the server's uploads)
	ReportPath string         `json:"-"`                // "" = FILE.errors.csv next to the input
	Progress   func(Progress) `json:"-"`                // called after every batch; may be nil
}

// Progress is reported while an import runs.
type Progress struct {
	BytesRead int64
	Rows      int
	Result    BatchResult
	Failed    int
}

// Summary is what an import did; printed as JSON by `clearlist import --json`.
type Summary struct {
	ImportID   int64    `json:"import_id,omitempty"`
	SourceID   int64    `json:"source_id,omitempty"`
	ListID     int64    `json:"list_id,omitempty"`
	DryRun     bool     `json:"dry_run"`
	Rows       int      `json:"rows"`
	Inserted   int      `json:"inserted"`
	Updated    int      `json:"updated"`
	Unchanged  int      `json:"unchanged"`
	Skipped    int      `json:"skipped"`
	Duplicates int      `json:"duplicates_in_file"`
	Failed     int      `json:"failed"`   // rows rejected: not stored, each in the error report
	Warnings   int      `json:"warnings"` // rows stored with a value left out, each in the error report
	Dropped    []string `json:"dropped_columns,omitempty"`
	// Consents counts the consent ledger entries the consent columns wrote.
	Consents int `json:"consent_entries"`
	// Notes are remarks about how the file was read (a consent time without a zone taken as UTC).
	Notes []string `json:"notes,omitempty"`
	// SourcePolicy says whether contacts from this source may be mailed for marketing by
	// default; a refused source's contacts are stored but not mailable for marketing.
	SourcePolicy *SourcePolicy `json:"source_policy,omitempty"`
	// Sender is what another sender's export held (an import --from): set only then.
	Sender        *SenderSummary `json:"sender,omitempty"`
	ReportPath    string         `json:"error_report,omitempty"`
	Seconds       float64        `json:"seconds"`
	RowsPerSecond float64        `json:"rows_per_second"`
}

// ErrInvalidImport marks errors caused by what the user sent (the file, a column, an
// option), as opposed to failures of the system; callers answer them with a 4xx.
var ErrInvalidImport = errors.New("invalid import")

type invalidImport struct{ error }

func (e invalidImport) Is(target error) bool { return target == ErrInvalidImport }
func (e invalidImport) Unwrap() error        { return e.error }

// InvalidImport marks err as the user's to fix; errors.Is(err, ErrInvalidImport) then holds
// and the message stays err's own.
func InvalidImport(err error) error {
	if err == nil {
		return nil
	}
	return invalidImport{err}
}

// SourcePolicy is the default policy's word on an import's source type.
type SourcePolicy struct {
	// Marketing is allow, refuse or conditional: the source type's default. A source refused
	// by default whose contacts some jurisdictions allow without consent (an opt-out regime,
	// B2B legitimate interest) is conditional: ByJurisdiction says where.
	Marketing string `json:"marketing"`
	RuleID    string `json:"rule_id"`
	Text      string `json:"text"`
	Citation  string `json:"citation"`
	// ByJurisdiction is, for every jurisdiction, what marketing e-mail to a business address
	// from this source without consent on record comes to (the evaluation check uses); set
	// for sources that are not allowed by default.
	ByJurisdiction []policy.SourceJurisdiction `json:"by_jurisdiction,omitempty"`
}

// SenderSummary is what an import of another sender's export (--from) read: its consent
// evidence, its do-not-contact entries and, per column, the values clearlist did not take in.
type SenderSummary struct {
	Format string `json:"format"` // mailchimp, listmonk
	Kind   string `json:"kind"`   // subscribed, unsubscribed, cleaned; subscribers
	// WithConsent counts the rows carrying a consent entry; NoEvidence those whose file
	// gave no sign-up or confirmation time (they come in without one).
	WithConsent int `json:"with_consent"`
	NoEvidence  int `json:"no_evidence"`
	// DoNotContact counts the rows' do-not-contact requests by reason; Added how many
	// entries they made, AlreadyListed how many were on the list already, Refused how many
	// the do-not-contact list refused (each in the error report). A dry run records none.
	DoNotContact  map[string]int `json:"do_not_contact"`
	Added         int            `json:"do_not_contact_added"`
	AlreadyListed int            `json:"do_not_contact_already_listed"`
	Refused       int            `json:"do_not_contact_refused"`
	// Leftover lists the file's columns with values not taken in, with their counts.
	Leftover []LeftoverColumn `json:"leftover_columns"`
	// ConfirmedWithoutTime counts the confirmed rows whose file gives no confirmation time
	// (listmonk): their confirmation entry carries the sign-up time.
	ConfirmedWithoutTime int `json:"confirmed_without_time"`
	// TimesAssumedUTC counts times written without a zone, read as UTC.
	TimesAssumedUTC int `json:"times_assumed_utc"`
	// Lines says all of it for a person.
	Lines []string `json:"lines"`
}

// LeftoverColumn is a column of another sender's file whose values were not taken in.
type LeftoverColumn struct {
	Column string `json:"column"`
	Values int    `json:"values"`
}

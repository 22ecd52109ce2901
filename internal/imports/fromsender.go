package imports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports/formats"
	"github.com/clearlist/clearlist/internal/suppress"
)

// Suppressor records the do-not-contact requests another sender's export carries (the
// do-not-contact service).
type Suppressor interface {
	// Suppress prepares and records requests, all or none, each with its own ReceivedAt.
	Suppress(ctx context.Context, ws int64, reqs []suppress.Intake) ([]suppress.Suppression, int, error)
}

// intakeBatch is how many do-not-contact requests are recorded in one go.
const intakeBatch = 500

// senderSource is the RowSource of an import --from: it reads the sender's export through
// formats.Reader and yields each row under the canonical column names, one row at a time,
// and records the rows' do-not-contact requests in batches as it goes.
type senderSource struct {
	ctx    context.Context
	ws     int64
	by     string
	dryRun bool
	rd     *formats.Reader
	sup    Suppressor
	norm   *contact.Normalizer
	// dropped holds the row-only columns (listmonk attribute keys) the import drops as
	// undeclared (--drop-undeclared), for the summary's dropped columns.
	dropped map[string]bool
	base    []string // the reader's columns, shared by every row that has no others
	cols    []string // the last row's column list when it had more (listmonk attributes)
	vals    []string
	intake  []suppress.Intake
	// wording is the text of the sender's sign-up form (--evidence wording=…): the exports do
	// not carry it, and a grant needs it.
	wording string
	// noConfirmTime counts the confirmed rows whose file gives no confirmation time (listmonk):
	// their confirmation is recorded at the sign-up time.
	noConfirmTime int
	// What the do-not-contact list made of the requests.
	added, listed, refused int
	firstRefusal           string
}

// newSenderSource reads the header of r as req.From's export; wording is the sign-up form's
// (--evidence wording=…, or the resumed import's source's).
func newSenderSource(ctx context.Context, r io.Reader, req contact.ImportRequest, wording string, norm *contact.Normalizer, by string, sup Suppressor) (*senderSource, error) {
	f, err := formats.ParseFormat(req.From)
	if err != nil {
		return nil, err
	}
	rd, err := formats.NewReader(r, formats.Options{From: f, ListStatus: req.ListStatus, Read: req.Read})
	if err != nil {
		return nil, err
	}
	if wording == "" {
		return nil, fmt.Errorf("a %s export has the sign-up and confirmation times but not the text the people agreed to, which every consent entry needs: "+
			"give the wording of the sign-up form with --evidence wording='…' (API: evidence=wording=…)", f)
	}
	if sup == nil && !req.DryRun {
		return nil, errors.New("this server cannot record do-not-contact entries from an import")
	}
	// consentCells may fill these two: every row has them, so that the column list stays one.
	base := rd.Columns()
	for _, c := range []string{"consent_wording", formats.ColConsentConfirmedAt} {
		if !slices.Contains(base, c) {
			base = append(base, c)
		}
	}
	return &senderSource{ctx: ctx, ws: req.WorkspaceID, by: by, dryRun: req.DryRun, rd: rd, sup: sup, norm: norm,
		dropped: map[string]bool{}, base: base, wording: wording}, nil
}

func (s *senderSource) Columns() []string { return s.base }

func (s *senderSource) Next() (contact.Record, error) {
	row, err := s.rd.Next()
	if errors.Is(err, io.EOF) {
		if ferr := s.flush(); ferr != nil {
			return contact.Record{}, ferr
		}
		return contact.Record{}, io.EOF
	}
	if err != nil {
		return contact.Record{}, err
	}
	s.intake = append(s.intake, row.Intakes...)
	if len(s.intake) >= intakeBatch {
		if err := s.flush(); err != nil {
			return contact.Record{}, err
		}
	}
	s.consentCells(row.Columns)
	cols := s.base
	var extra []string
	for k := range row.Columns {
		if !slices.Contains(s.base, k) {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		// Reuse the last list while the keys are the same: the normaliser then reuses its plan.
		if len(s.cols) != len(s.base)+len(extra) || !slices.Equal(s.cols[len(s.base):], extra) {
			s.cols = append(slices.Clip(s.base), extra...)
			// Resolve the new list once (the normaliser keeps the plan) and note what it drops.
			if dropped, err := s.norm.CheckColumns(s.cols); err == nil {
				for _, d := range dropped {
					s.dropped[d] = true
				}
			}
		}
		cols = s.cols
	}
	s.vals = s.vals[:0]
	for _, c := range cols {
		s.vals = append(s.vals, row.Columns[c])
	}
	return contact.Record{Num: row.Num, Cols: cols, Values: s.vals}, nil
}

// consentCells puts a row's consent in the import's terms: a sign-up the file says was
// confirmed is a grant with its confirmation (consent_action granted, consent_confirmed_at),
// which the import writes as a granted and a confirmed entry; without a confirmation time
// (listmonk's export has none) the confirmation is recorded at the sign-up time and counted.
// The grant's wording is the form's (--evidence wording=…).
func (s *senderSource) consentCells(c map[string]string) {
	if c[formats.ColConsentAction] == "" {
		return
	}
	if c[formats.ColConsentAction] == formats.ActionConfirmed {
		c[formats.ColConsentAction] = formats.ActionGranted
		if c[formats.ColConsentConfirmedAt] == "" {
			c[formats.ColConsentConfirmedAt] = c[formats.ColConsentAt]
			s.noConfirmTime++
		}
	}
	if c["consent_wording"] == "" {
		c["consent_wording"] = s.wording
	}
}

// flush records the requests held, as one batch; when the batch is refused it records
// them one by one and counts the ones refused, so that one bad request loses no other.
func (s *senderSource) flush() error {
	reqs := s.intake
	s.intake = s.intake[:0]
	if len(reqs) == 0 || s.dryRun {
		return nil
	}
	for i := range reqs {
		reqs[i].By = s.by
	}
	added, dups, err := s.sup.Suppress(s.ctx, s.ws, reqs)
	if err == nil {
		s.added, s.listed = s.added+len(added), s.listed+dups
		return nil
	}
	if !errors.Is(err, suppress.ErrInvalid) {
		return fmt.Errorf("record do-not-contact entries: %w", err)
	}
	for _, r := range reqs {
		added, dups, err := s.sup.Suppress(s.ctx, s.ws, []suppress.Intake{r})
		switch {
		case err == nil:
			s.added, s.listed = s.added+len(added), s.listed+dups
		case errors.Is(err, suppress.ErrInvalid):
			s.refused++
			if s.firstRefusal == "" {
				s.firstRefusal = fmt.Sprintf("%s: %v", r.Value, err)
			}
		default:
			return fmt.Errorf("record do-not-contact entries: %w", err)
		}
	}
	return nil
}

// droppedColumns adds the row-only columns dropped as undeclared to those of the header.
func (s *senderSource) droppedColumns(header []string) []string {
	out := slices.Clone(header)
	for _, d := range slices.Sorted(maps.Keys(s.dropped)) {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// summary is what the file held, for the import's summary.
func (s *senderSource) summary() *contact.SenderSummary {
	fs := s.rd.Summary()
	out := &contact.SenderSummary{Format: string(fs.Format), Kind: fs.Kind, WithConsent: fs.WithConsent,
		NoEvidence: fs.NoEvidence, DoNotContact: map[string]int{}, Added: s.added, AlreadyListed: s.listed,
		Refused: s.refused, Leftover: []contact.LeftoverColumn{}, TimesAssumedUTC: fs.Assumed, Lines: fs.Lines()}
	for _, r := range slices.Sorted(maps.Keys(fs.Intakes)) {
		out.DoNotContact[string(r)] = fs.Intakes[r]
	}
	for _, c := range fs.LeftoverColumns() {
		out.Leftover = append(out.Leftover, contact.LeftoverColumn{Column: c.Column, Values: c.Values})
	}
	switch {
	case s.dryRun && len(fs.Intakes) > 0:
		out.Lines = append(out.Lines, "dry run: no do-not-contact entry recorded")
	case s.added+s.listed+s.refused > 0:
		out.Lines = append(out.Lines, fmt.Sprintf("do-not-contact list: %d entries added, %d already listed, %d refused", s.added, s.listed, s.refused))
	}
	if s.noConfirmTime > 0 {
		out.Lines = append(out.Lines, fmt.Sprintf("%d confirmed subscriptions have no confirmation time in the file: their confirmation is recorded at the sign-up time", s.noConfirmTime))
	}
	out.ConfirmedWithoutTime = s.noConfirmTime
	if s.firstRefusal != "" {
		out.Lines = append(out.Lines, "first refused do-not-contact request: "+s.firstRefusal)
	}
	return out
}

// senderHint says, for a plain import whose header is another sender's export, how to
// import it as one; "" when the header is no known export.
func senderHint(cols []string) string {
	f, err := formats.Detect(cols)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("the header is a %s export: import it with --from %s (API: from=%s) to take in its consent times and do-not-contact entries",
		map[formats.Format]string{formats.Mailchimp: "Mailchimp", formats.Listmonk: "listmonk"}[f], f, f)
}

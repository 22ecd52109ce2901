package contact

import (
	"fmt"
	"strings"

	"github.com/clearlist/clearlist/internal/consent"
)

// cloneAbove is the record size above which kept values are copied, so that
// a row never pins a large record (e.g. one with a huge ignored cell).
const cloneAbove = 2048

// Row is one normalised contact row, ready to be stored.
type Row struct {
	Num            int    // the record's row number
	Email          string // the address as given (trimmed)
	EmailCanonical string // the address in canonical form, the contact's key
	Phone          string // E.164, "" when absent
	// Status is "" when the row does not give one; an importer must then
	// leave an existing contact's status alone (never resubscribe it).
	Status  Status
	Country string         // ISO 3166-1 alpha-2, "" when not given
	Kind    Kind           // "" when not given
	Attrs   map[string]any // declared attributes by name; nil when none
	// Warnings are problems that did not stop the row: the cell was left out and the
	// contact kept (a phone number that cannot be read, when the e-mail address is good).
	Warnings []RowError
	// Consents are the ledger entries of the row's consent cells, in order, without
	// workspace, contact, source, sequence or hash: the store adds them in the batch.
	Consents []consent.Entry
	// Evidence is the row's own evidence (evidence_<key> columns); nil when none.
	Evidence map[string]string
	// SourceID is the source recording the row's own evidence (RunOptions.RowSource); 0: the batch's.
	SourceID int64
	// NoZone is set when a consent time of the row named no zone and was taken as UTC.
	NoZone bool
}

// Normalize turns a record into a Row, or returns every problem of the row
// (each bad cell, not only the first); a row with errors must not be
// imported. Empty optional cells are absent. For JSON lines, keys with no
// target are errors unless DropUndeclared.
func (n *Normalizer) Normalize(rec Record) (Row, []RowError) {
	p := n.planFor(rec.Cols)
	if len(rec.Values) != len(rec.Cols) {
		return Row{Num: rec.Num}, []RowError{*newRowError(rec.Num, "", "", fmt.Sprintf(
			"the row has %d values for %d columns", len(rec.Values), len(rec.Cols)))}
	}
	clone := recordSize(rec.Values) > cloneAbove
	keep := func(s string) string {
		if clone {
			return strings.Clone(s)
		}
		return s
	}
	row := Row{Num: rec.Num}
	var errs rowErrors
	var err error
	var cells consentCells
	bad := func(col, val, reason string) { errs.add(rec.Num, col, val, reason) }
	for i, t := range p.targets {
		v := rec.Values[i]
		switch t.kind {
		case toIgnore:
		case toUndeclared:
			if !n.opts.DropUndeclared {
				bad(rec.Cols[i], v, "the column is not a declared attribute; declare it with `clearlist attribute add NAME --type text --purpose …`, map it with --map col=attr, or pass --drop-undeclared")
			}
		case toEmail:
			if strings.Trim(v, " \t\u00a0") == "" {
				bad(rec.Cols[i], v, "the e-mail address is empty; every row needs one")
				continue
			}
			given, canon, err := CanonicalEmail(v)
			if err != nil {
				bad(rec.Cols[i], v, err.Error())
				continue
			}
			row.Email, row.EmailCanonical = keep(given), keep(canon)
		case toPhone:
			if strings.TrimSpace(v) == "" {
				continue
			}
			phone, err := CanonicalPhone(v, n.region)
			if err != nil {
				// The e-mail address is the contact's key: a row with nothing else wrong is
				// kept without the number (a warning); otherwise the number is one more error.
				bad(rec.Cols[i], v, err.Error())
				row.Warnings = append(row.Warnings, *newRowError(rec.Num, rec.Cols[i], v, PhoneWarning(err)))
				continue
			}
			row.Phone = phone
		case toStatus:
			if strings.TrimSpace(v) == "" {
				continue
			}
			st, err := ParseStatus(v)
			if err != nil {
				bad(rec.Cols[i], v, err.Error())
				continue
			}
			row.Status = st
		case toCountry:
			if row.Country, err = ParseCountry(v); err != nil {
				bad(rec.Cols[i], v, err.Error())
			}
		case toKind:
			if row.Kind, err = ParseKind(v); err != nil {
				bad(rec.Cols[i], v, err.Error())
			}
		case toAttr:
			val, err := t.attr.Parse(v)
			if err != nil {
				bad(rec.Cols[i], v, fmt.Sprintf("attribute %s: %v", t.attr.Name, err))
				continue
			}
			if val == nil {
				continue
			}
			if s, ok := val.(string); ok {
				val = keep(s)
			}
			if row.Attrs == nil {
				row.Attrs = make(map[string]any, p.attrs)
			}
			row.Attrs[t.attr.Name] = val
		case toConsent:
			cells.vals[t.field], cells.cols[t.field] = keep(v), rec.Cols[i]
			if strings.TrimSpace(v) != "" {
				cells.any = true
			}
		case toEvidence:
			if strings.TrimSpace(v) == "" {
				continue
			}
			ev, err := CheckEvidence(map[string]string{t.evidence: v})
			if err != nil {
				bad(rec.Cols[i], v, err.Error())
				continue
			}
			if row.Evidence == nil {
				row.Evidence = map[string]string{}
			}
			row.Evidence[t.evidence] = keep(ev[t.evidence])
		}
	}
	if len(errs.list) == len(row.Warnings) && p.email >= 0 {
		errs.list = append(errs.list, n.consentEntries(rec.Num, row.EmailCanonical, &cells, &row)...)
	}
	if p.conflict != nil {
		bad("", "", p.conflict.Error())
	}
	if p.email < 0 {
		bad("email", "", "the row has no e-mail address column; name it email or map it with --map COLUMN=email")
	}
	if row.Country == "" {
		row.Country = n.country
	}
	if row.Kind == "" {
		row.Kind = n.kind
	}
	if len(errs.list) > len(row.Warnings) {
		return Row{Num: rec.Num}, errs.list
	}
	return row, nil
}

// WarningPrefix starts the reason of a report line that is a warning, not a rejected row.
const WarningPrefix = "warning: "

// PhoneWarning is the report's reason for a phone number left out of a kept contact.
func PhoneWarning(err error) string {
	return WarningPrefix + "the contact is imported without this phone number: " + err.Error()
}

// rowErrors collects the errors of one row.
type rowErrors struct{ list []RowError }

func (e *rowErrors) add(row int, col, val, reason string) {
	e.list = append(e.list, *newRowError(row, col, val, reason))
}

func recordSize(vals []string) int {
	n := 0
	for _, v := range vals {
		n += len(v)
	}
	return n
}

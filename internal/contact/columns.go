package contact

import (
	"errors"
	"fmt"
	"strings"
)

// targetKind is what a source column feeds.
type targetKind uint8

const (
	toUndeclared targetKind = iota // no declared attribute: refused or dropped
	toIgnore                       // mapped to "-"
	toEmail
	toPhone
	toStatus
	toAttr
	toCountry
	toKind
	toConsent  // a consent_* column: part of the row's ledger entries
	toEvidence // an evidence_<key> column: the row's own evidence
)

// target is where a column's values go.
type target struct {
	kind     targetKind
	attr     Attribute    // for toAttr
	field    consentField // for toConsent
	evidence string       // for toEvidence: the evidence key
}

func (t target) name() string {
	switch t.kind {
	case toEmail:
		return "email"
	case toPhone:
		return "phone"
	case toStatus:
		return "status"
	case toCountry:
		return "country"
	case toKind:
		return "contact_kind"
	case toAttr:
		return t.attr.Name
	case toConsent:
		return ConsentColumns[t.field]
	case toEvidence:
		return EvidenceColumnPrefix + t.evidence
	}
	return ""
}

// fieldAliases are the column names, squashed (see squash), that map to a
// contact field without a --map.
var fieldAliases = map[string]targetKind{
	"email": toEmail, "emailaddress": toEmail, "emailaddr": toEmail,
	"phone": toPhone, "phonenumber": toPhone, "telephone": toPhone, "telephonenumber": toPhone,
	"tel": toPhone, "mobile": toPhone, "mobilephone": toPhone, "mobilenumber": toPhone,
	"cell": toPhone, "cellphone": toPhone,
	"status":  toStatus,
	"country": toCountry, "countrycode": toCountry,
	"contactkind": toKind,
}

// fieldsFirst are the contact fields a column of their name feeds even when the workspace
// declared an attribute of that name (country was an attribute before it was a field).
var fieldsFirst = map[string]targetKind{"country": toCountry, "contact_kind": toKind}

// SquashName lower-cases a column name and drops spaces, hyphens, underscores and dots, the
// way the import matches column names, so "E-Mail Address" and "email_address" look alike.
func SquashName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if r != ' ' && r != '-' && r != '_' && r != '.' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// resolve finds the target of a column: an explicit mapping, an attribute
// of that exact name (any case), a field alias, or an attribute whose
// squashed name matches.
// A consent_* or evidence_* column comes before attributes; an evidence column with an
// unknown key is an error.
func (n *Normalizer) resolve(col string) (target, error) {
	key := strings.ToLower(strings.TrimSpace(col))
	if t, ok := n.mapped[key]; ok {
		return t, nil
	}
	if t, ok, err := consentTarget(key); ok {
		return t, err
	}
	if k, ok := fieldsFirst[key]; ok {
		return target{kind: k}, nil
	}
	if a, ok := n.opts.Schema.Lookup(key); ok {
		return target{kind: toAttr, attr: a}, nil
	}
	if t, ok := n.auto[SquashName(key)]; ok {
		return t, nil
	}
	return target{kind: toUndeclared}, nil
}

// plan is the resolution of one column list, reused while the same slice
// comes back (every CSV row; JSON lines with the same keys).
type plan struct {
	cols       []string
	targets    []target
	email      int      // index of the e-mail column, -1 if none
	undeclared []string // columns with no target
	conflict   error    // two columns feeding one target
	attrs      int      // columns feeding attributes
}

func (n *Normalizer) planFor(cols []string) *plan {
	if p := n.last; p != nil && len(p.cols) == len(cols) && (len(cols) == 0 || &p.cols[0] == &cols[0]) {
		return p
	}
	p := &plan{cols: cols, targets: make([]target, len(cols)), email: -1}
	used := make(map[string]string, len(cols))
	var conflicts []error
	for i, c := range cols {
		t, err := n.resolve(c)
		if err != nil {
			conflicts = append(conflicts, err)
			t = target{kind: toIgnore}
		}
		p.targets[i] = t
		switch t.kind {
		case toUndeclared:
			p.undeclared = append(p.undeclared, c)
			continue
		case toIgnore:
			continue
		case toEmail:
			p.email = i
		case toAttr:
			p.attrs++
		}
		if prev, dup := used[t.name()]; dup {
			conflicts = append(conflicts, fmt.Errorf("columns %s and %s both give %s; map one of them away with --map %s=-", quoteShort(prev), quoteShort(c), t.name(), c))
		}
		used[t.name()] = c
	}
	p.conflict = errors.Join(conflicts...)
	n.last = p
	return p
}

// CheckColumns is called once with the CSV header. It returns the columns
// that will be dropped (undeclared ones, with DropUndeclared), or an error
// naming every problem: undeclared columns, no e-mail column, two columns
// for one target, or a --map naming a column the header does not have.
func (n *Normalizer) CheckColumns(cols []string) (dropped []string, err error) {
	p := n.planFor(cols)
	var errs []error
	if len(p.undeclared) > 0 {
		if n.opts.DropUndeclared {
			dropped = p.undeclared
		} else {
			errs = append(errs, fmt.Errorf("columns not declared as attributes: %s; declare them with `clearlist attribute add NAME --type text --purpose …`, map them with --map col=attr, or pass --drop-undeclared", quoteList(p.undeclared)))
		}
	}
	if p.email < 0 {
		errs = append(errs, errors.New("no column holds the e-mail address; name it email or map it with --map COLUMN=email"))
	}
	if p.conflict != nil {
		errs = append(errs, p.conflict)
	}
	for _, src := range n.mapOrder {
		if !containsFold(cols, src) {
			errs = append(errs, fmt.Errorf("--map names column %s, which is not in the header (%s)", quoteShort(src), quoteList(cols)))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return dropped, nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, s := range names {
		q[i] = quoteShort(s)
	}
	return strings.Join(q, ", ")
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

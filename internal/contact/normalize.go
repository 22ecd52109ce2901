package contact

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Mapping maps a source column (matched case-insensitively) to its target:
// "email", "phone", "status", "country", "contact_kind", a declared attribute name, or "-" to ignore the
// column.
type Mapping map[string]string

// NormalizeOptions configures a Normalizer.
type NormalizeOptions struct {
	Schema         *Schema // the declared attributes; nil declares none
	Map            Mapping // explicit column targets, beyond the automatic ones
	DropUndeclared bool    // drop columns with no target instead of refusing them
	DefaultRegion  string  // ISO 3166 alpha-2 region for phone numbers without +CC; "" requires +CC
	// DefaultCountry and DefaultKind fill the country and contact_kind of rows that give
	// none (`clearlist import --country CC --contact-kind K`); "" leaves them unknown.
	DefaultCountry string
	DefaultKind    string
	Consent        ConsentOptions
}

// Normalizer turns records into contact rows: canonical identifiers, a
// status, and typed declared attributes. It is not safe for concurrent use.
type Normalizer struct {
	opts     NormalizeOptions
	region   string
	country  string
	kind     Kind
	mapped   map[string]target // lower-cased source column -> target
	mapOrder []string          // the mapped source columns, sorted, for messages
	auto     map[string]target // squashed alias -> target
	last     *plan
}

// NewNormalizer checks the options: every mapping target must be a contact
// field, a declared attribute or "-", and the default region must be known.
func NewNormalizer(opts NormalizeOptions) (*Normalizer, error) {
	region, err := checkRegion(opts.DefaultRegion)
	if err != nil {
		return nil, err
	}
	n := &Normalizer{opts: opts, region: region, mapped: make(map[string]target, len(opts.Map))}
	var errs []error
	if n.country, err = ParseCountry(opts.DefaultCountry); err != nil {
		errs = append(errs, fmt.Errorf("--country: %w", err))
	}
	if n.kind, err = ParseKind(opts.DefaultKind); err != nil {
		errs = append(errs, fmt.Errorf("--contact-kind: %w", err))
	}
	for src, dst := range opts.Map {
		key := strings.ToLower(strings.TrimSpace(src))
		t, err := n.mapTarget(strings.ToLower(strings.TrimSpace(dst)))
		switch {
		case key == "":
			errs = append(errs, fmt.Errorf("--map %s=%s: the column name is empty", src, dst))
		case err != nil:
			errs = append(errs, fmt.Errorf("--map %s=%s: %w", src, dst, err))
		default:
			n.mapped[key] = t
			n.mapOrder = append(n.mapOrder, key)
		}
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return nil, errors.Join(errs...)
	}
	slices.Sort(n.mapOrder)
	n.buildAliases()
	return n, nil
}

func (n *Normalizer) mapTarget(dst string) (target, error) {
	switch dst {
	case "-":
		return target{kind: toIgnore}, nil
	case "email":
		return target{kind: toEmail}, nil
	case "phone":
		return target{kind: toPhone}, nil
	case "status":
		return target{kind: toStatus}, nil
	case "country":
		return target{kind: toCountry}, nil
	case "contact_kind":
		return target{kind: toKind}, nil
	}
	if t, ok, err := consentTarget(dst); ok {
		return t, err
	}
	if a, ok := n.opts.Schema.Lookup(dst); ok {
		return target{kind: toAttr, attr: a}, nil
	}
	return target{}, fmt.Errorf("%s is not declared; declare it with `clearlist attribute add %s --type text --purpose …`, or map the column to email, phone, status, country, contact_kind, a consent column (consent_at, …), evidence_KEY or -", quoteShort(dst), dst)
}

// buildAliases indexes the field aliases and the squashed attribute names;
// an attribute whose squashed name is ambiguous only matches exactly.
func (n *Normalizer) buildAliases() {
	n.auto = make(map[string]target)
	ambiguous := map[string]bool{}
	if n.opts.Schema != nil {
		for _, a := range n.opts.Schema.Attributes {
			k := SquashName(a.Name)
			if _, dup := n.auto[k]; dup {
				ambiguous[k] = true
			}
			n.auto[k] = target{kind: toAttr, attr: a}
		}
	}
	for k := range ambiguous {
		delete(n.auto, k)
	}
	for k, kind := range fieldAliases {
		n.auto[k] = target{kind: kind}
	}
}

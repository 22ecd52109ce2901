package signup

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/i18n"
)

// Request is a sign-up as a form or the JSON API posted it.
type Request struct {
	Email  string
	Shown  []string // the purposes whose boxes were displayed
	Ticked []string // the purposes the person ticked
	// Prechecked lists the boxes that were displayed already ticked; PrecheckedSet says the
	// client declared it at all. Both must say "none": a pre-ticked box is not consent.
	Prechecked    []string
	PrecheckedSet bool
	FormID        string
	FormVersion   string
	Wording       map[string]string // the text shown with each ticked purpose's box
	List          string            // optional list name to join on confirmation
}

// InvalidError is a refused request: Field names what to fix. Key names the refusal in the
// message catalogues (i18n key "refuse."+Key, formatted with Args), so that a page or the
// JSON API can say it in the visitor's language; Message is the English.
type InvalidError struct {
	Field   string
	Message string
	Key     string
	Args    []any
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Message }

// In is the refusal in a language: the catalogue's message, or the English Message for a
// refusal without a key and for English itself (its text may be more precise, as a
// malformed address's).
func (e *InvalidError) In(lang string) string {
	if e.Key == "" || lang == "" || lang == i18n.Default {
		return e.Message
	}
	return i18n.T(lang, "refuse."+e.Key, e.Args...)
}

func invalid(field, key string, args ...any) error {
	return &InvalidError{Field: field, Key: key, Args: args, Message: i18n.T(i18n.Default, "refuse."+key, args...)}
}

// Checked is a valid request's normalised content.
type Checked struct {
	Email     string   // as given (trimmed)
	Canonical string   // the contact key
	Purposes  []string // ticked, sorted, without duplicates
}

const maxField = 256

// Check validates a request against the workspace's purposes. Only marketing purposes can be
// signed up for: service messages need no sign-up.
func Check(r Request, purposes []consent.Purpose) (Checked, error) {
	if !r.PrecheckedSet {
		return Checked{}, invalid("prechecked", "prechecked_unsaid")
	}
	if len(r.Prechecked) > 0 {
		return Checked{}, invalid("prechecked", "prechecked")
	}
	given, canonical, err := contact.CanonicalEmail(r.Email)
	if err != nil {
		return Checked{}, &InvalidError{Field: "email", Key: "email", Message: err.Error()}
	}
	if len(r.Shown) == 0 || len(r.Shown) > 64 {
		return Checked{}, invalid("purposes_shown", "shown_count")
	}
	offered := map[string]bool{}
	for _, p := range purposes {
		if p.Marketing {
			offered[p.Name] = true
		}
	}
	for _, name := range r.Shown {
		if !offered[name] {
			return Checked{}, invalid("purposes_shown", "shown_unknown", clip(name), strings.Join(sortedKeys(offered), ", "))
		}
	}
	ticked := slices.Clone(r.Ticked)
	slices.Sort(ticked)
	ticked = slices.Compact(ticked)
	if len(ticked) == 0 {
		return Checked{}, invalid("purposes_ticked", "none_ticked")
	}
	for _, name := range ticked {
		if !slices.Contains(r.Shown, name) {
			return Checked{}, invalid("purposes_ticked", "ticked_not_shown", clip(name))
		}
		w := r.Wording[name]
		if strings.TrimSpace(w) == "" {
			return Checked{}, invalid("wording", "wording_missing", clip(name))
		}
		if err := text("wording", w, 4096); err != nil {
			return Checked{}, err
		}
	}
	for _, f := range []struct{ name, v string }{{"form_id", r.FormID}, {"form_version", r.FormVersion}, {"list", r.List}} {
		if err := text(f.name, f.v, maxField); err != nil {
			return Checked{}, err
		}
	}
	return Checked{Email: given, Canonical: canonical, Purposes: ticked}, nil
}

func text(field, v string, max int) error {
	switch {
	case len(v) > max:
		return invalid(field, "too_long", field, max)
	case !utf8.ValidString(v):
		return invalid(field, "not_utf8", field)
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }):
		return invalid(field, "control", field)
	}
	return nil
}

func clip(s string) string {
	if len(s) > 64 {
		return strings.ToValidUTF8(s[:64], "") + "…"
	}
	return s
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// BoxWording is the text the subscribe page shows with a purpose's box.
func BoxWording(p consent.Purpose) string {
	return fmt.Sprintf("Yes, e-mail me %s. I can unsubscribe at any time.", p.Description)
}

// FormID names the built-in subscribe page in the evidence.
const FormID = "subscribe-page"

// FormVersion identifies what the subscribe page shows for these purposes: it changes
// whenever a box or its wording does.
func FormVersion(purposes []consent.Purpose) string {
	h := sha256.New()
	for _, p := range purposes {
		if p.Marketing {
			fmt.Fprintf(h, "%s\x00%s\x00", p.Name, BoxWording(p))
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Offered returns the purposes the subscribe page shows a box for.
func Offered(purposes []consent.Purpose) []consent.Purpose {
	var out []consent.Purpose
	for _, p := range purposes {
		if p.Marketing {
			out = append(out, p)
		}
	}
	return out
}

// Clean makes a browser-supplied string (user agent) safe to keep as evidence: valid
// UTF-8, no control characters, at most n bytes.
func Clean(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
}

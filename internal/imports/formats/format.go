package formats

import (
	"fmt"
	"strings"
)

// Format is the sender whose export a file is.
type Format string

// The formats this package reads.
const (
	Mailchimp Format = "mailchimp" // an audience export: the subscribed, unsubscribed or cleaned file
	Listmonk  Format = "listmonk"  // a subscriber export (Subscribers → Export)
)

// Formats lists the formats, in the order they are documented.
func Formats() []Format { return []Format{Mailchimp, Listmonk} }

// ParseFormat reads a format as a user types it (--from); "" is not a format.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, x := range Formats() {
		if f == x {
			return x, nil
		}
	}
	return "", fmt.Errorf("unknown sender %q: use --from %s", s, joinFormats("|"))
}

func joinFormats(sep string) string {
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return strings.Join(names, sep)
}

// header indexes a file's column names, trimmed and matched without regard to case.
type header struct {
	names []string
	index map[string]int
}

func newHeader(cols []string) header {
	h := header{names: cols, index: make(map[string]int, len(cols))}
	for i, c := range cols {
		k := strings.ToLower(strings.TrimSpace(c))
		if _, dup := h.index[k]; !dup {
			h.index[k] = i
		}
	}
	return h
}

// col returns the position of a column, or -1.
func (h header) col(name string) int {
	if i, ok := h.index[strings.ToLower(name)]; ok {
		return i
	}
	return -1
}

// missing lists the names of want that h lacks.
func (h header) missing(want []string) []string {
	var out []string
	for _, w := range want {
		if h.col(w) < 0 {
			out = append(out, w)
		}
	}
	return out
}

// Detect names the format whose documented header cols is, or says why none fits.
func Detect(cols []string) (Format, error) {
	h := newHeader(cols)
	switch {
	case len(h.missing(mailchimpRequired)) == 0:
		return Mailchimp, nil
	case len(h.missing(listmonkRequired)) == 0:
		return Listmonk, nil
	}
	return "", fmt.Errorf("the header (%s) is not an export clearlist can read as another sender's: "+
		"a Mailchimp audience export has %s; a listmonk subscriber export has %s. "+
		"Say --from %s if it is one of them, or import it as a plain contact file",
		shortList(cols), strings.Join(mailchimpRequired, ", "), strings.Join(listmonkRequired, ","), joinFormats("|"))
}

// check says what is wrong when cols is not the header f documents.
func (f Format) check(cols []string) error {
	want := mailchimpRequired
	if f == Listmonk {
		want = listmonkRequired
	}
	miss := newHeader(cols).missing(want)
	if len(miss) == 0 {
		return nil
	}
	return fmt.Errorf("the header is not a %s export: it lacks %s (it has %s). Export the file again from %s "+
		"without removing columns, or import it as a plain contact file without --from",
		f.title(), strings.Join(miss, ", "), shortList(cols), f.title())
}

func (f Format) title() string {
	if f == Listmonk {
		return "listmonk"
	}
	return "Mailchimp"
}

// shortList writes up to 8 column names for a message.
func shortList(cols []string) string {
	if len(cols) == 0 {
		return "no columns"
	}
	quoted := make([]string, 0, 9)
	for i, c := range cols {
		if i == 8 {
			quoted = append(quoted, fmt.Sprintf("and %d more", len(cols)-8))
			break
		}
		if len(c) > 40 {
			c = strings.ToValidUTF8(c[:40], "") + "…"
		}
		quoted = append(quoted, fmt.Sprintf("%q", c))
	}
	return strings.Join(quoted, ", ")
}

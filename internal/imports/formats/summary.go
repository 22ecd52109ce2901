package formats

import (
	"maps"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/suppress"
)

// Summary counts what a file held and, per column, the values that have no home in
// clearlist, so that nothing is dropped silently.
type Summary struct {
	Format Format `json:"format"`
	Kind   string `json:"kind"`
	Rows   int    `json:"rows"`   // records read
	Failed int    `json:"failed"` // records refused with a row error
	// Contacts is the rows given back; WithConsent those carrying a consent entry.
	Contacts    int `json:"contacts"`
	WithConsent int `json:"with_consent"`
	// NoEvidence counts contacts whose file gave no sign-up or confirmation time: they
	// come in without a consent entry.
	NoEvidence int                     `json:"no_evidence"`
	Intakes    map[suppress.Reason]int `json:"intakes"`
	// Leftover counts, per column of the file, the non-empty values not taken in.
	Leftover map[string]int `json:"leftover"`
	// Assumed counts the times read without a zone, taken as UTC.
	Assumed int `json:"times_assumed_utc"`
}

// LeftoverColumn is one column with values that have no home.
type LeftoverColumn struct {
	Column string `json:"column"`
	Values int    `json:"values"`
}

// LeftoverColumns lists the columns with values not taken in, by name.
func (s Summary) LeftoverColumns() []LeftoverColumn {
	names := slices.Sorted(maps.Keys(s.Leftover))
	out := make([]LeftoverColumn, 0, len(names))
	for _, n := range names {
		out = append(out, LeftoverColumn{Column: n, Values: s.Leftover[n]})
	}
	return out
}

// Lines writes the summary for a person: what came in, what was assumed, what was left.
func (s Summary) Lines() []string {
	lines := []string{strings.TrimSpace(string(s.Format) + " " + s.Kind + " export: " +
		itoa(s.Rows) + " rows, " + itoa(s.Contacts) + " contacts (" + itoa(s.WithConsent) +
		" with a consent entry), " + itoa(s.Failed) + " refused")}
	if s.NoEvidence > 0 {
		lines = append(lines, itoa(s.NoEvidence)+" contacts have no sign-up time in the file: no consent entry is recorded for them")
	}
	for _, r := range slices.Sorted(maps.Keys(s.Intakes)) {
		lines = append(lines, itoa(s.Intakes[r])+" do-not-contact entries ("+string(r)+")")
	}
	if s.Assumed > 0 {
		lines = append(lines, itoa(s.Assumed)+" times had no zone and were read as UTC, as the sender writes them")
	}
	for _, c := range s.LeftoverColumns() {
		lines = append(lines, "not taken in: "+c.Column+" ("+itoa(c.Values)+" values)")
	}
	return lines
}

func (s Summary) clone() Summary {
	s.Intakes = maps.Clone(s.Intakes)
	s.Leftover = maps.Clone(s.Leftover)
	return s
}

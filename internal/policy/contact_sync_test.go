package policy_test

import (
	"slices"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/policy"
)

// TestSlugsMatchContact keeps policy's source types equal to the ones imports already use.
func TestSlugsMatchContact(t *testing.T) {
	var theirs []string
	for slug := range contact.SourceTypes {
		theirs = append(theirs, slug)
	}
	ours := policy.SourceSlugs()
	slices.Sort(theirs)
	slices.Sort(ours)
	if !slices.Equal(ours, theirs) {
		t.Errorf("policy source types %v\ndiffer from contact.SourceTypes %v", ours, theirs)
	}
}

package contact

import (
	"time"

	"github.com/clearlist/clearlist/internal/policy"
)

// Source is the provenance of contacts: one row per import, form, API write or event,
// saying how, when, by whom and for whom the data was collected.
type Source struct {
	ID          int64             `json:"id"`
	WorkspaceID int64             `json:"-"`
	Type        string            `json:"source_type"`
	Description string            `json:"description"`
	CollectedBy string            `json:"collected_by"`
	CollectedAt *time.Time        `json:"collected_at,omitempty"`
	Evidence    map[string]string `json:"evidence"`
	OnBehalfOf  bool              `json:"on_behalf_of"`
	CreatedAt   time.Time         `json:"created_at"`
}

// CanonicalSourceType checks that t names a source type of the policy's table (SPEC §3 plus
// clearlist's own channels) and returns its slug as stored; the error lists the valid ones.
// The table, with what each type allows, lives in one place: package policy.
func CanonicalSourceType(t string) (string, error) {
	st, err := policy.ParseSourceType(t)
	if err != nil {
		return "", err
	}
	return st.String(), nil
}

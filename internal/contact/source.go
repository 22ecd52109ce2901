package contact

import (
	"fmt"
	"sort"
	"strings"
	"time"
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

// SourceTypes lists the ways contacts can be obtained (SPEC §3 plus clearlist's own
// channels), each with a one-line description. The policy that turns a source type into
// a verdict lives with the consent rules; here a write only has to name a known type.
var SourceTypes = map[string]string{
	"broker-purchase":        "bought from an address broker (SPEC §3 case 1)",
	"trade-fair-organiser":   "visitors handed over by a trade-fair organiser (case 2)",
	"own-stand-signup":       "signed up at your own stand, double opt-in or signed paper form (case 3)",
	"purchasing-association": "members of a purchasing association (case 4)",
	"social-network":         "shared details on a social or professional network (case 5)",
	"partner-list":           "a partner's list (case 6)",
	"pr-agency-list":         "a PR agency's bought list of journalists (case 7)",
	"business-cards":         "business cards left at your stand (case 8)",
	"signup-cards":           "sign-up cards, e.g. on restaurant tables (case 9)",
	"agency-client-list":     "an agency mailing a client's list (case 10)",
	"shop-newsletter-box":    "online-shop customers who ticked a newsletter box (case 11)",
	"shop-soft-opt-in":       "online-shop customers told at checkout, with a right to object (case 11b)",
	"group-members":          "members of a group you belong to (case 12)",
	"crm-export":             "a CRM export kept by sales (case 13)",
	"business-contacts":      "long-standing business contacts (case 14)",
	"raffle":                 "participants of an online raffle (case 15)",
	"web-form-single-opt-in": "your own web form, single opt-in",
	"web-form-double-opt-in": "your own web form, double opt-in",
	"api":                    "written through the API by an integration",
	"manual-written-consent": "entered by hand, with written consent on file",
	"b2b-public-research":    "B2B research from public sources",
}

// ValidateSourceType checks that t names a known source type and says which ones exist if not.
func ValidateSourceType(t string) error {
	if _, ok := SourceTypes[t]; ok {
		return nil
	}
	names := make([]string, 0, len(SourceTypes))
	for n := range SourceTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return fmt.Errorf("unknown source type %q: use one of %s", t, strings.Join(names, ", "))
}

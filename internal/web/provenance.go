package web

import (
	"time"

	"github.com/clearlist/clearlist/internal/contact"
)

// sourceBody describes a new source: how, when, by whom and for whom data was collected.
type sourceBody struct {
	SourceType  string            `json:"source_type" doc:"How the data was obtained; GET /api/v1/source-types lists the types."`
	Description string            `json:"description,omitempty" maxLength:"2000" doc:"What this source is, e.g. the form or event."`
	CollectedBy string            `json:"collected_by,omitempty" maxLength:"500" doc:"Who collected the data."`
	CollectedAt *time.Time        `json:"collected_at,omitempty" doc:"When the data was collected."`
	Evidence    map[string]string `json:"evidence,omitempty" doc:"References to proof, e.g. a form version or a file name."`
	OnBehalfOf  bool              `json:"on_behalf_of,omitempty" doc:"True when collected on behalf of another controller."`
}

// source returns the body as a source for the contact service, which checks it.
func (b sourceBody) source() contact.Source {
	return contact.Source{Type: b.SourceType, Description: b.Description, CollectedBy: b.CollectedBy,
		CollectedAt: b.CollectedAt, Evidence: b.Evidence, OnBehalfOf: b.OnBehalfOf}
}

// provenance is how a write names where its data came from (the body fields source_id and source).
func provenance(sourceID int64, src *sourceBody) contact.Provenance {
	p := contact.Provenance{SourceID: sourceID}
	if src != nil {
		s := src.source()
		p.Source = &s
	}
	return p
}

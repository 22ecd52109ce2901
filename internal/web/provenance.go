package web

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
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

// provenance is how a write names where its data came from: an existing source by id, or a
// new source described inline (the body fields source_id and source).
type provenance struct {
	SourceID int64
	Source   *sourceBody
}

// given reports whether the write names a source at all.
func (p provenance) given() bool { return p.SourceID != 0 || p.Source != nil }

// check validates the provenance of a write; required says a source must be named. It
// returns the source to use: an existing one (ID set) or a new one still to be saved (ID 0),
// or nil when none was given and none is required.
func (s *Server) checkProvenance(ctx context.Context, ws int64, p provenance, required bool) (*contact.Source, error) {
	const how = "give source_id (an existing source) or source (a new one with at least source_type)"
	switch {
	case p.SourceID != 0 && p.Source != nil:
		return nil, invalid("body.source", "give either source_id or source, not both", nil)
	case p.SourceID != 0:
		src, err := s.st.Source(ctx, ws, p.SourceID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, invalid("body.source_id", fmt.Sprintf("source %d does not exist in this workspace; %s", p.SourceID, how), p.SourceID)
		}
		if err != nil {
			return nil, err
		}
		return &src, nil
	case p.Source != nil:
		src, err := p.Source.toSource(ws)
		if err != nil {
			return nil, err
		}
		return &src, nil
	case required:
		return nil, invalid("body.source", "every write must say where the data came from: "+how, nil)
	}
	return nil, nil
}

// toSource validates the body as a new source of workspace ws.
func (b sourceBody) toSource(ws int64) (contact.Source, error) {
	t, err := contact.CanonicalSourceType(b.SourceType)
	if err != nil {
		return contact.Source{}, invalid("body.source.source_type", err.Error(), b.SourceType)
	}
	return contact.Source{
		WorkspaceID: ws,
		Type:        t,
		Description: strings.TrimSpace(b.Description),
		CollectedBy: strings.TrimSpace(b.CollectedBy),
		CollectedAt: b.CollectedAt,
		Evidence:    b.Evidence,
		OnBehalfOf:  b.OnBehalfOf,
	}, nil
}

// saveSource stores a source returned by checkProvenance if it is new, and returns its id.
func (s *Server) saveSource(ctx context.Context, src *contact.Source) (int64, error) {
	if src == nil {
		return 0, nil
	}
	if src.ID != 0 {
		return src.ID, nil
	}
	saved, err := s.st.CreateSourceOf(ctx, *src) // the change it comes with names it in its audit entry
	if err != nil {
		return 0, err
	}
	*src = saved
	return saved.ID, nil
}

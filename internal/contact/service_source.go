package contact

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clearlist/clearlist/internal/errs"
)

// Provenance is how a write names where its data came from: an existing source by id, or a
// new source described inline (its Type still to be checked), not both.
type Provenance struct {
	SourceID int64
	Source   *Source
}

// given reports whether the write names a source at all.
func (p Provenance) given() bool { return p.SourceID != 0 || p.Source != nil }

// checkProvenance validates the provenance of a write; required says a source must be named.
// It returns the source to use: an existing one (ID set), a new one the write saves (ID 0),
// or nil when none was given and none is required.
func (s *Service) checkProvenance(ctx context.Context, ws int64, p Provenance, required bool) (*Source, error) {
	const how = "give source_id (an existing source) or source (a new one with at least source_type)"
	switch {
	case p.SourceID != 0 && p.Source != nil:
		return nil, inputError("source", "give either source_id or source, not both", nil)
	case p.SourceID != 0:
		src, err := s.store.Source(ctx, ws, p.SourceID)
		if errors.Is(err, errs.ErrNotFound) {
			return nil, inputError("source_id", fmt.Sprintf("source %d does not exist in this workspace; %s", p.SourceID, how), p.SourceID)
		}
		if err != nil {
			return nil, err
		}
		return &src, nil
	case p.Source != nil:
		src, err := newSource(ws, *p.Source, "source.source_type")
		if err != nil {
			return nil, err
		}
		return &src, nil
	case required:
		return nil, inputError("source", "every write must say where the data came from: "+how, nil)
	}
	return nil, nil
}

// newSource checks src as a new source of workspace ws; field names its type in errors.
func newSource(ws int64, src Source, field string) (Source, error) {
	t, err := CanonicalSourceType(src.Type)
	if err != nil {
		return Source{}, &InputError{Field: field, Msg: err.Error(), Value: src.Type, Err: err}
	}
	for key := range dateEvidence {
		if v, ok := src.Evidence[key]; ok {
			if err := checkEvidenceDate(key, strings.TrimSpace(v)); err != nil {
				return Source{}, &InputError{Field: strings.TrimSuffix(field, "source_type") + "evidence." + key, Msg: err.Error(), Value: v, Err: err}
			}
		}
	}
	return Source{
		WorkspaceID: ws,
		Type:        t,
		Description: strings.TrimSpace(src.Description),
		CollectedBy: strings.TrimSpace(src.CollectedBy),
		CollectedAt: src.CollectedAt,
		Evidence:    src.Evidence,
		OnBehalfOf:  src.OnBehalfOf,
	}, nil
}

// CreateSource checks and records a source of the workspace (how, when, by whom and for
// whom data was collected); an unknown type gives an *InputError for source_type.
func (s *Service) CreateSource(ctx context.Context, ws int64, src Source) (Source, error) {
	src, err := newSource(ws, src, "source_type")
	if err != nil {
		return Source{}, err
	}
	return s.store.CreateSource(ctx, src)
}

// Source returns source id of the workspace.
func (s *Service) Source(ctx context.Context, ws, id int64) (Source, error) {
	return s.store.Source(ctx, ws, id)
}

// Sources lists the workspace's sources newest first, those with an id below before (0: from
// the newest), at most limit.
func (s *Service) Sources(ctx context.Context, ws, before int64, limit int) ([]Source, error) {
	return s.store.Sources(ctx, ws, before, limit)
}

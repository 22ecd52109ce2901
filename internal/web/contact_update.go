package web

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

type updateContactInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Email        *string        `json:"email,omitempty" doc:"A new e-mail address."`
		Phone        *string        `json:"phone,omitempty" doc:"A new phone number; an empty string removes it."`
		Status       *string        `json:"status,omitempty" doc:"active, unsubscribed, bounced or blocked. Leaving unsubscribed or blocked needs a compliance or admin token and status_reason."`
		StatusReason string         `json:"status_reason,omitempty" doc:"Why the status changes; kept on the record (GET /api/v1/contacts/{id}/status-changes)."`
		Attributes   map[string]any `json:"attributes,omitempty" doc:"Merged into the stored attributes; null removes one."`
		Lists        []string       `json:"lists,omitempty" doc:"Names of existing lists to add the contact to; needs source_id or source."`
		SourceID     int64          `json:"source_id,omitempty" doc:"An existing source to record as having touched the contact."`
		Source       *sourceBody    `json:"source,omitempty" doc:"A new source to record as having touched the contact."`
	}
}

// updateContact changes the fields given and leaves the others as they are.
func (s *Server) updateContact(ctx context.Context, in *updateContactInput) (*contactOutput, error) {
	ws, b := workspace(ctx), in.Body
	c, err := s.st.Contact(ctx, ws, in.ID)
	if err != nil {
		return nil, notFound(err, "contact %d", in.ID)
	}
	if b.Email != nil {
		if c.Email, c.EmailCanonical, err = checkEmail(*b.Email); err != nil {
			return nil, err
		}
	}
	if b.Phone != nil {
		if c.Phone, err = s.checkPhone(*b.Phone); err != nil {
			return nil, err
		}
	}
	c.Status = "" // unchanged unless given: the store compares with the status it holds
	if b.Status != nil {
		if c.Status, err = checkStatus("body.status", *b.Status); err != nil {
			return nil, err
		}
	}
	if c.Attrs, err = s.mergeAttributes(ctx, ws, maps.Clone(c.Attrs), b.Attributes); err != nil {
		return nil, err
	}
	prov := provenance{b.SourceID, b.Source}
	if len(b.Lists) > 0 && !prov.given() {
		return nil, invalid("body.lists", "adding a contact to a list records where it came from: give source_id or source as well", nil)
	}
	src, err := s.checkProvenance(ctx, ws, prov, false)
	if err != nil {
		return nil, err
	}
	listIDs, err := s.resolveLists(ctx, ws, b.Lists)
	if err != nil {
		return nil, err
	}
	if err := s.checkUnique(ctx, ws, c.EmailCanonical, c.ID); err != nil {
		return nil, err
	}
	srcID, err := s.saveSource(ctx, src)
	if err != nil {
		return nil, err
	}
	role, reason := tokenRole(ctx), strings.TrimSpace(b.StatusReason)
	saved, err := s.st.UpdateContactAs(ctx, c, srcID, listIDs, store.StatusChangeBy{By: tokenName(ctx), Reason: reason,
		Rule: func(from, to contact.Status) error {
			return contact.CheckStatusChange(from, to, store.MayOverrulePerson(role), reason)
		}})
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, s.lostRace(ctx, ws, c.EmailCanonical, c.ID)
	case errors.Is(err, contact.ErrStatusLift):
		return nil, huma.Error403Forbidden(err.Error())
	case errors.Is(err, contact.ErrStatusReason):
		return nil, invalid("body.status_reason", err.Error(), b.StatusReason)
	}
	if err != nil {
		return nil, notFound(err, "contact %d", in.ID)
	}
	return s.contactOutput(ctx, saved)
}

type statusChangesOutput struct {
	Body struct {
		Changes []store.StatusChange `json:"changes"`
	}
}

// statusChanges lists who changed a contact's status, when and why.
func (s *Server) statusChanges(ctx context.Context, in *contactIDInput) (*statusChangesOutput, error) {
	ws := workspace(ctx)
	if _, err := s.st.Contact(ctx, ws, in.ID); err != nil {
		return nil, notFound(err, "contact %d", in.ID)
	}
	out := &statusChangesOutput{}
	var err error
	out.Body.Changes, err = s.st.StatusChanges(ctx, ws, in.ID)
	return out, err
}

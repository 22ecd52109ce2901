package web

import (
	"context"

	"github.com/clearlist/clearlist/internal/contact"
)

type updateContactInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Email        *string        `json:"email,omitempty" doc:"A new e-mail address."`
		Phone        *string        `json:"phone,omitempty" doc:"A new phone number; an empty string removes it."`
		Status       *string        `json:"status,omitempty" doc:"active, unsubscribed, bounced or blocked. Leaving unsubscribed or blocked needs a compliance or admin token and status_reason."`
		Country      *string        `json:"country,omitempty" doc:"ISO 3166-1 two-letter country, e.g. GB; an empty string makes it unknown."`
		Kind         *string        `json:"contact_kind,omitempty" doc:"personal, sole_trader or corporate; an empty string makes it unknown."`
		StatusReason string         `json:"status_reason,omitempty" doc:"Why the status changes; kept on the record (GET /api/v1/contacts/{id}/status-changes)."`
		Attributes   map[string]any `json:"attributes,omitempty" doc:"Merged into the stored attributes; null removes one."`
		Lists        []string       `json:"lists,omitempty" doc:"Names of existing lists to add the contact to; needs source_id or source."`
		SourceID     int64          `json:"source_id,omitempty" doc:"An existing source to record as having touched the contact."`
		Source       *sourceBody    `json:"source,omitempty" doc:"A new source to record as having touched the contact."`
	}
}

// updateContact changes the fields given and leaves the others as they are.
func (s *Server) updateContact(ctx context.Context, in *updateContactInput) (*contactOutput, error) {
	b := in.Body
	saved, err := s.cfg.Contacts.Update(ctx, workspace(ctx), in.ID, contact.Change{Email: b.Email, Phone: b.Phone, Status: b.Status,
		Country: b.Country, Kind: b.Kind, StatusReason: b.StatusReason, Attributes: b.Attributes, Lists: b.Lists, Provenance: provenance(b.SourceID, b.Source)}, author(ctx))
	if err != nil {
		return nil, notFound(contactError(err, "body."), "contact %d", in.ID)
	}
	return s.contactOutput(ctx, saved)
}

type statusChangesOutput struct {
	Body struct {
		Changes []contact.StatusChange `json:"changes"`
	}
}

// statusChanges lists who changed a contact's status, when and why.
func (s *Server) statusChanges(ctx context.Context, in *contactIDInput) (*statusChangesOutput, error) {
	changes, err := s.cfg.Contacts.StatusChanges(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, notFound(err, "contact %d", in.ID)
	}
	out := &statusChangesOutput{}
	out.Body.Changes = changes
	return out, nil
}

package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/danielgtaylor/huma/v2"
)

// contactRoutes registers the /api/v1/contacts operations.
func (s *Server) contactRoutes(api huma.API) {
	tags := []string{"contacts"}
	register(s, api, huma.Operation{OperationID: "list-contacts", Method: http.MethodGet, Path: "/api/v1/contacts",
		Summary: "List contacts", Tags: tags}, s.listContacts)
	register(s, api, huma.Operation{OperationID: "create-contact", Method: http.MethodPost, Path: "/api/v1/contacts",
		Summary: "Create a contact", Description: "A contact is stored only with its provenance: give source_id or source.",
		Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict}}, s.createContact)
	register(s, api, huma.Operation{OperationID: "get-contact", Method: http.MethodGet, Path: "/api/v1/contacts/{id}",
		Summary: "Get a contact with its lists and sources", Tags: tags}, s.getContact)
	register(s, api, huma.Operation{OperationID: "update-contact", Method: http.MethodPatch, Path: "/api/v1/contacts/{id}",
		Summary: "Change a contact", Description: "Leaving the status unsubscribed or blocked (the contact must not be contacted) " +
			"needs a compliance or admin token and status_reason; every status change is recorded.",
		Tags: tags, Errors: []int{http.StatusConflict, http.StatusForbidden, http.StatusUnprocessableEntity}}, s.updateContact)
	register(s, api, huma.Operation{OperationID: "list-contact-status-changes", Method: http.MethodGet, Path: "/api/v1/contacts/{id}/status-changes",
		Summary: "Who changed a contact's status, when and why", Tags: tags}, s.statusChanges)
	register(s, api, huma.Operation{OperationID: "delete-contact", Method: http.MethodDelete, Path: "/api/v1/contacts/{id}",
		Summary: "Delete a contact", Description: "A contact whose status is unsubscribed or blocked is deleted only with a compliance or admin token.",
		Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusForbidden}}, s.deleteContact)
}

// contactView is a contact with its lists and its provenance.
type contactView struct {
	contact.Contact
	Lists   []listRef        `json:"lists" doc:"The lists the contact is on."`
	Sources []contact.Source `json:"sources" doc:"Every source that touched the contact, first one first."`
}

type contactOutput struct {
	Location string `header:"Location"`
	Body     contactView
}

type contactIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type createContactInput struct {
	Body struct {
		Email      string         `json:"email" doc:"The e-mail address, stored as given and in canonical form."`
		Phone      string         `json:"phone,omitempty" doc:"A phone number, +CC… or in the server's default region."`
		Status     string         `json:"status,omitempty" doc:"active (default), unsubscribed, bounced or blocked."`
		Country    string         `json:"country,omitempty" doc:"ISO 3166-1 two-letter country, e.g. GB; it chooses the rules that apply."`
		Kind       string         `json:"contact_kind,omitempty" doc:"personal, sole_trader or corporate; when left out, the e-mail domain decides (free-mail is personal)."`
		Attributes map[string]any `json:"attributes,omitempty" doc:"Values of attributes declared in the workspace."`
		Lists      []string       `json:"lists,omitempty" doc:"Names of existing lists to add the contact to."`
		SourceID   int64          `json:"source_id,omitempty" doc:"An existing source of this workspace. Give this or source."`
		Source     *sourceBody    `json:"source,omitempty" doc:"A new source to record with this write. Give this or source_id."`
	}
}

func (s *Server) createContact(ctx context.Context, in *createContactInput) (*contactOutput, error) {
	b := in.Body
	saved, err := s.cfg.Contacts.Create(ctx, workspace(ctx), contact.NewContact{Email: b.Email, Phone: b.Phone, Status: b.Status,
		Country: b.Country, Kind: b.Kind, Attributes: b.Attributes, Lists: b.Lists, Provenance: provenance(b.SourceID, b.Source)})
	if err != nil {
		return nil, contactError(err, "body.")
	}
	return s.contactOutput(ctx, saved)
}

func (s *Server) getContact(ctx context.Context, in *contactIDInput) (*contactOutput, error) {
	c, err := s.cfg.Contacts.Contact(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, notFound(err, "contact %d", in.ID)
	}
	return s.contactOutput(ctx, c)
}

func (s *Server) deleteContact(ctx context.Context, in *contactIDInput) (*struct{}, error) {
	err := s.cfg.Contacts.Delete(ctx, workspace(ctx), in.ID, author(ctx))
	if errors.Is(err, contact.ErrStatusLift) {
		return nil, huma.Error403Forbidden(err.Error())
	}
	if err != nil {
		return nil, notFound(err, "contact %d", in.ID)
	}
	return nil, nil
}

// author is the request's token as the author of a contact write.
func author(ctx context.Context) contact.Author {
	return contact.Author{By: tokenName(ctx), MayOverrule: access.MayOverrulePerson(tokenRole(ctx))}
}

// contactOutput loads the contact's lists and sources around it.
func (s *Server) contactOutput(ctx context.Context, c contact.Contact) (*contactOutput, error) {
	ws := c.WorkspaceID
	lists, err := s.cfg.Contacts.Memberships(ctx, ws, c.ID)
	if err != nil {
		return nil, err
	}
	v := contactView{Contact: c, Lists: make([]listRef, 0, len(lists))}
	for _, l := range lists {
		v.Lists = append(v.Lists, listRef{ID: l.ID, Name: l.Name})
	}
	if v.Sources, err = s.cfg.Contacts.ContactSources(ctx, ws, c.ID); err != nil {
		return nil, err
	}
	if v.Sources == nil {
		v.Sources = []contact.Source{}
	}
	if v.Attrs == nil {
		v.Attrs = map[string]any{}
	}
	return &contactOutput{Location: fmt.Sprintf("/api/v1/contacts/%d", c.ID), Body: v}, nil
}

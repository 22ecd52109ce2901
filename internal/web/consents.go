package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/danielgtaylor/huma/v2"
)

// consentRoutes registers the consent ledger operations and /api/v1/purposes.
func (s *Server) consentRoutes(api huma.API) {
	tags := []string{"consents"}
	register(s, api, huma.Operation{OperationID: "list-contact-consents", Method: http.MethodGet, Path: "/api/v1/contacts/{id}/consents",
		Summary: "The contact's consent ledger entries and current state",
		Description: "Entries in ledger order, and where consent stands for each purpose × channel they mention " +
			"(the latest entry decides).",
		Tags: tags}, s.listContactConsents)
	register(s, api, huma.Operation{OperationID: "record-consent", Method: http.MethodPost, Path: "/api/v1/contacts/{id}/consents",
		Summary: "Record a consent ledger entry for the contact",
		Description: "Appends one entry to the workspace's append-only, hash-chained ledger; entries are never changed, " +
			"a correction is a new entry (e.g. withdrawn). 422 names what is invalid and lists the valid values; " +
			"an evidence key other than those of the evidence object is refused, listing them.",
		Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{http.StatusUnprocessableEntity}}, s.recordConsent)
	register(s, api, huma.Operation{OperationID: "list-stale-consents", Method: http.MethodGet, Path: "/api/v1/consents/stale",
		Summary: "Consents in force given more than N days ago",
		Description: "Every kind of consent (sign-up cards, forms, double opt-in, …) that is granted or confirmed and was " +
			"given more than days ago, oldest first: mail those people (a welcome) or ask again before the consent goes stale. " +
			"A fresh entry for the purpose and channel (a reconfirmation) takes a consent off the list.",
		Tags: tags}, s.listStaleConsents)
	register(s, api, huma.Operation{OperationID: "list-purposes", Method: http.MethodGet, Path: "/api/v1/purposes",
		Summary: "List the workspace's purposes", Tags: tags}, s.listPurposes)
	register(s, api, huma.Operation{OperationID: "create-purpose", Method: http.MethodPost, Path: "/api/v1/purposes",
		Summary: "Declare a purpose", Tags: tags, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}}, s.createPurpose)
}

// evidenceBody is what proves an entry, as a client sends it. It admits other keys in the
// schema only so that recordConsent can refuse them itself, listing the known ones
// (consent.EvidenceFields), rather than with a bare "unexpected property".
type evidenceBody struct {
	_           struct{}  `json:"-" additionalProperties:"true"`
	Wording     string    `json:"wording,omitempty" doc:"The consent text shown to the person (needed for basis consent)."`
	FormID      string    `json:"form_id,omitempty" doc:"The form or page that collected it."`
	FormVersion string    `json:"form_version,omitempty" doc:"The version of that form."`
	IP          string    `json:"ip,omitempty" doc:"The person's IP address."`
	UserAgent   string    `json:"user_agent,omitempty" doc:"The person's browser."`
	Timestamp   time.Time `json:"timestamp,omitzero" doc:"When the person acted (RFC 3339)."`
	DocumentRef string    `json:"document_ref,omitempty" doc:"A signed paper form, a call recording, …"`
	Collector   string    `json:"collector,omitempty" doc:"Who collected it (person or system)."`
	Prechecked  bool      `json:"prechecked,omitempty" doc:"The box was displayed already ticked. Recorded as said; a pre-ticked box is no consent (CJEU C-673/17), so eligibility refuses it (rule con-12)."`
}

type recordConsentInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Purpose  string       `json:"purpose" doc:"A purpose of the workspace (GET /api/v1/purposes), e.g. newsletter."`
		Channel  string       `json:"channel" doc:"email, phone or sms."`
		Action   string       `json:"action" doc:"granted, confirmed, withdrawn, expired or objected."`
		Basis    string       `json:"basis" doc:"consent, double-opt-in, soft-opt-in, legitimate-interest or contract."`
		Evidence evidenceBody `json:"evidence,omitzero" doc:"What proves the entry."`
		SourceID int64        `json:"source_id,omitempty" doc:"An existing source of this workspace the entry came from."`
		// Prechecked is evidence.prechecked said at the top level; either one marks the entry.
		Prechecked bool `json:"prechecked,omitempty" doc:"The same as evidence.prechecked: the box was displayed already ticked."`
	}
	RawBody []byte
}

// unknownEvidence refuses an evidence key the entry does not have, listing the known ones.
func unknownEvidence(raw []byte) error {
	var b struct {
		Evidence map[string]json.RawMessage `json:"evidence"`
	}
	if json.Unmarshal(raw, &b) != nil {
		return nil // the schema validation has refused it already
	}
	if err := consent.CheckEvidenceKeys(slices.Sorted(maps.Keys(b.Evidence))); err != nil {
		return huma.Error422UnprocessableEntity(invalidMessage(err))
	}
	return nil
}

type consentOutput struct {
	Body consent.Entry
}

func (s *Server) recordConsent(ctx context.Context, in *recordConsentInput) (*consentOutput, error) {
	ws, b := workspace(ctx), in.Body
	if err := unknownEvidence(in.RawBody); err != nil {
		return nil, err
	}
	ev := b.Evidence
	e := consent.Entry{WorkspaceID: ws, ContactID: in.ID, Purpose: b.Purpose, Channel: consent.Channel(b.Channel),
		Action: consent.Action(b.Action), Basis: consent.Basis(b.Basis), SourceID: b.SourceID, Actor: tokenActor(ctx),
		Evidence: consent.Evidence{Wording: ev.Wording, FormID: ev.FormID, FormVersion: ev.FormVersion, IP: ev.IP,
			UserAgent: ev.UserAgent, Timestamp: ev.Timestamp, DocumentRef: ev.DocumentRef, Collector: ev.Collector,
			Prechecked: ev.Prechecked || b.Prechecked}}
	saved, err := s.cfg.Consents.Record(ctx, e)
	switch {
	case errors.Is(err, consent.ErrInvalid):
		return nil, huma.Error422UnprocessableEntity(invalidMessage(err))
	case errors.Is(err, consent.ErrUnknownSource):
		return nil, invalid("body.source_id", fmt.Sprintf("source %d does not exist in this workspace", b.SourceID), b.SourceID)
	case err != nil:
		return nil, notFound(err, "contact %d", in.ID)
	}
	return &consentOutput{Body: saved}, nil
}

// tokenActor names the request's API token as the actor of a ledger entry.
func tokenActor(ctx context.Context) string {
	tok, _ := ctx.Value(tokenKey{}).(access.Token)
	return fmt.Sprintf("token:%d", tok.ID)
}

// invalidMessage is a consent.ErrInvalid error's message from the sentinel on, without the
// store's "record consent (…):" prefix.
func invalidMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, consent.ErrInvalid.Error()); i > 0 {
		msg = msg[i:]
	}
	return msg
}

// consentState is where a contact's consent for one purpose and channel stands.
type consentState struct {
	Purpose    string            `json:"purpose"`
	Channel    consent.Channel   `json:"channel"`
	State      consent.StateName `json:"state" doc:"granted, confirmed, withdrawn, expired or objected: the latest entry's action."`
	Active     bool              `json:"active" doc:"Consent is granted or confirmed."`
	Basis      consent.Basis     `json:"basis" doc:"The lawful basis of the deciding entry."`
	EntryID    int64             `json:"entry_id" doc:"The entry that decided the state."`
	RecordedAt time.Time         `json:"recorded_at" doc:"When that entry was recorded."`
}

type contactConsentsOutput struct {
	Body struct {
		Entries []consent.Entry `json:"entries" doc:"The contact's ledger entries, in ledger order."`
		States  []consentState  `json:"states" doc:"The current state per purpose × channel, by purpose then channel."`
	}
}

func (s *Server) listContactConsents(ctx context.Context, in *contactIDInput) (*contactConsentsOutput, error) {
	h, err := s.cfg.Consents.History(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, notFound(err, "contact %d", in.ID)
	}
	out := &contactConsentsOutput{}
	out.Body.Entries = h.Entries
	out.Body.States = make([]consentState, 0, len(h.States))
	for _, st := range h.States {
		cs := consentState{Purpose: st.Purpose, Channel: st.Channel, State: st.State, Active: st.Active()}
		if st.Entry != nil {
			cs.Basis, cs.EntryID, cs.RecordedAt = st.Entry.Basis, st.Entry.ID, st.Entry.RecordedAt
		}
		out.Body.States = append(out.Body.States, cs)
	}
	return out, nil
}

type staleConsentsInput struct {
	Days    int    `query:"days" default:"30" minimum:"0" maximum:"36500" doc:"Given more than this many days ago."`
	Purpose string `query:"purpose" doc:"Only this purpose."`
}

type staleConsentsOutput struct {
	Body struct {
		Items []consent.StaleConsent `json:"items"`
	}
}

func (s *Server) listStaleConsents(ctx context.Context, in *staleConsentsInput) (*staleConsentsOutput, error) {
	list, err := s.cfg.Consents.Stale(ctx, workspace(ctx), time.Duration(in.Days)*24*time.Hour, time.Now().UTC(), in.Purpose)
	if err != nil {
		return nil, err
	}
	out := &staleConsentsOutput{}
	out.Body.Items = list
	if list == nil {
		out.Body.Items = []consent.StaleConsent{}
	}
	return out, nil
}

type purposesOutput struct {
	Body struct {
		Items []consent.Purpose `json:"items"`
	}
}

func (s *Server) listPurposes(ctx context.Context, _ *struct{}) (*purposesOutput, error) {
	ps, err := s.cfg.Consents.Purposes(ctx, workspace(ctx))
	if err != nil {
		return nil, err
	}
	out := &purposesOutput{}
	out.Body.Items = ps
	if ps == nil {
		out.Body.Items = []consent.Purpose{}
	}
	return out, nil
}

type createPurposeInput struct {
	Body struct {
		Name        string `json:"name" doc:"Lower-case letters, digits and hyphens, at most 64 characters; unique in the workspace."`
		Description string `json:"description,omitempty" doc:"What the purpose is, in words a contact understands."`
		Marketing   bool   `json:"marketing" doc:"true for marketing; false for a service or transactional purpose. Required, so that it is a decision."`
		// The kinds the policy relies on; each needs the right marketing value (422 otherwise).
		SimilarProducts bool `json:"similar_products,omitempty" doc:"Marketing of the workspace's own products similar to those a customer bought: a soft opt-in covers it. Marketing purposes only."`
		Essential       bool `json:"essential,omitempty" doc:"A service message necessary for the contract or a legal obligation, sent even after an objection. Service purposes only."`
	}
}

type purposeOutput struct {
	Body consent.Purpose
}

func (s *Server) createPurpose(ctx context.Context, in *createPurposeInput) (*purposeOutput, error) {
	p := consent.Purpose{Name: in.Body.Name, Description: strings.TrimSpace(in.Body.Description), Marketing: in.Body.Marketing,
		SimilarProducts: in.Body.SimilarProducts, Essential: in.Body.Essential}
	err := s.cfg.Consents.AddPurpose(ctx, workspace(ctx), p)
	switch {
	case errors.Is(err, consent.ErrInvalid):
		return nil, huma.Error422UnprocessableEntity(invalidMessage(err))
	case errors.Is(err, errs.ErrConflict):
		return nil, huma.Error409Conflict(fmt.Sprintf("a purpose named %q exists already; choose another name", p.Name))
	case err != nil:
		return nil, err
	}
	return &purposeOutput{Body: p}, nil
}

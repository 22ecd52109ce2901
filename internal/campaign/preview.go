package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
)

// ContactFinder finds a contact by its canonical e-mail address (the store implements it),
// for the preview as a contact.
type ContactFinder interface {
	ContactByEmail(ctx context.Context, ws int64, canonical string) (contact.Contact, error)
}

// Preview is a campaign's message as one contact would get it, rendered for a person to
// look at: the personalisation with the contact's attributes and the compliance footer,
// but no tracking and an unsubscribe link that unsubscribes nobody (nothing is written).
type Preview struct {
	ContactID int64  `json:"contact_id"`
	Address   string `json:"address"`
	Variant   string `json:"variant,omitempty"` // the A/B variant shown (A when the campaign has a test)
	From      string `json:"from"`
	ReplyTo   string `json:"reply_to,omitempty"`
	Subject   string `json:"subject"`
	HTML      string `json:"html"`
	Text      string `json:"text"`
}

// Preview renders the campaign's message (or its A/B variant, "" or A for its own) for the
// contact with the address email. A template that does not render, or a workspace whose
// footer is incomplete, is ErrInvalid with what to fix.
func (s *Service) Preview(ctx context.Context, ws, id int64, email, variant string) (Preview, error) {
	if s.contacts == nil {
		return Preview{}, fmt.Errorf("%w: this server cannot look contacts up for a preview", ErrInvalid)
	}
	_, canonical, err := contact.CanonicalEmail(email)
	if err != nil {
		return Preview{}, fmt.Errorf("%w: contact address %q: %v", ErrInvalid, email, err)
	}
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return Preview{}, err
	}
	k, err := s.contacts.ContactByEmail(ctx, ws, canonical)
	if errors.Is(err, errs.ErrNotFound) {
		return Preview{}, fmt.Errorf("%w: no contact has the address %s: pick one of the workspace's contacts", ErrInvalid, email)
	}
	if err != nil {
		return Preview{}, err
	}
	if c, err = s.withContent(ctx, c); err != nil {
		return Preview{}, err
	}
	n := 0
	if variant != "" || c.AB != nil {
		n = VariantNumber(variant)
		if variant == "" {
			n = 1
		}
		if c.AB == nil && n != 1 || n < 1 || n > 1+variantsOf(c) {
			return Preview{}, fmt.Errorf("%w: campaign %q has no A/B variant %q", ErrInvalid, c.Name, variant)
		}
		if n > 1 && c.AB.Variants[n-2].Content == nil {
			ab, err := s.fixVariants(ctx, c) // before a start the variants name their parts
			if err != nil {
				return Preview{}, err
			}
			c.AB = ab
		}
	}
	attrs, err := json.Marshal(k.Attrs)
	if err != nil {
		return Preview{}, fmt.Errorf("contact %d attributes: %w", k.ID, err)
	}
	r := Recipient{Address: k.Email, Canonical: k.EmailCanonical, Attrs: attrs, Status: string(k.Status), Country: k.Country, Preview: true}
	if c.AB != nil {
		r.Variant = n
	}
	m, err := s.render.Render(ctx, withVariant(c, n), r)
	if err != nil {
		return Preview{}, fmt.Errorf("%w: campaign %q: its message does not render: %v", ErrInvalid, c.Name, err)
	}
	p := Preview{ContactID: k.ID, Address: k.Email, From: m.From, ReplyTo: m.ReplyTo, Subject: m.Subject, HTML: m.HTML, Text: m.Text}
	if c.AB != nil {
		p.Variant = VariantName(n)
	}
	return p, nil
}

// Progress is a campaign with its deliveries counted per state: what the live progress of a
// sending campaign shows, read cheaply enough to be asked every second.
func (s *Service) Progress(ctx context.Context, ws, id int64) (Campaign, map[DeliveryState]int, error) {
	c, err := s.st.Campaign(ctx, ws, id)
	if err != nil {
		return Campaign{}, nil, err
	}
	n, err := s.st.DeliveryStates(ctx, ws, id)
	return c, n, err
}

package campaign

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/campaign/preflight"
	"github.com/clearlist/clearlist/internal/contact"
)

// Gate checks, before a start and in a preflight, what the messages need beyond their
// audience (the Composer implements it): Ready refuses a campaign whose compliance footer
// would be incomplete (no sender identity or postal address: ErrInvalid naming the setting
// to set), SenderCheck runs the sender-authentication checks (SPF, DKIM, DMARC, alignment,
// the relays' PTR and TLS) for the campaign's From, Return-Path and DKIM selector.
type Gate interface {
	Ready(ctx context.Context, c Campaign) error
	SenderCheck(ctx context.Context, c Campaign) (preflight.Report, error)
}

// Sources reads where a contact's details came from, for the "why you get this" sentence
// of recipients mailed on legitimate interest (the store implements it).
type Sources interface {
	Contact(ctx context.Context, ws, id int64) (contact.Contact, error)
	Source(ctx context.Context, ws, id int64) (contact.Source, error)
}

// gate runs the Gate's checks for a start: a blocking sender finding refuses with the
// findings that block, each with its fix.
func (s *Service) gate(ctx context.Context, c Campaign) (*preflight.Report, error) {
	if s.gates == nil {
		return nil, nil
	}
	if err := s.gates.Ready(ctx, c); err != nil {
		return nil, err
	}
	rep, err := s.gates.SenderCheck(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("campaign %q: check the sender's authentication: %w", c.Name, err)
	}
	if !rep.Blocking {
		return &rep, nil
	}
	var b strings.Builder
	for _, f := range rep.Findings {
		if f.Status == preflight.StatusFail {
			fmt.Fprintf(&b, "\n  %s: %s", f.Check, f.Message)
			if f.Fix != "" {
				fmt.Fprintf(&b, "\n    fix: %s", f.Fix)
			}
			if f.Check == preflight.CheckDKIM {
				fmt.Fprintf(&b, "\n    (clearlist keys dkim generate --domain %s --selector S makes the key and prints its record)",
					domainOf(c.FromAddress))
			}
		}
	}
	return &rep, fmt.Errorf("%w: campaign %q: the sender %s fails the mailbox providers' authentication checks "+
		"(see campaign preflight %d):%s", ErrInvalid, c.Name, c.FromAddress, c.ID, b.String())
}

// provenance is the "why you get this" sentence of a contact mailed on legitimate interest:
// the source their details came from and when. cache holds the sentence per source.
func (s *Service) provenance(ctx context.Context, ws, id int64, cache map[int64]string) (string, error) {
	if s.sources == nil {
		return "", nil
	}
	k, err := s.sources.Contact(ctx, ws, id)
	if err != nil {
		return "", fmt.Errorf("contact %d: %w", id, err)
	}
	if v, ok := cache[k.FirstSourceID]; ok {
		return v, nil
	}
	v := ""
	if k.FirstSourceID != 0 {
		src, err := s.sources.Source(ctx, ws, k.FirstSourceID)
		if err != nil {
			return "", fmt.Errorf("contact %d source %d: %w", id, k.FirstSourceID, err)
		}
		v = ProvenanceSentence(src)
	}
	cache[k.FirstSourceID] = v
	return v, nil
}

// ProvenanceSentence says where a contact's details came from and when, for the footer.
func ProvenanceSentence(src contact.Source) string {
	at := src.CreatedAt
	if src.CollectedAt != nil {
		at = *src.CollectedAt
	}
	what := strings.ReplaceAll(src.Type, "-", " ")
	if d := strings.Join(strings.Fields(src.Description), " "); d != "" {
		what = d + " (" + what + ")"
	}
	return fmt.Sprintf("your business contact details came to us on %s from %s.", at.UTC().Format(time.DateOnly), what)
}

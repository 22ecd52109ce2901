package transactional

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"sync"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/campaign/render"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/errs"
)

// Envelope gives a message what the workspace's keys make of it (campaign.Composer): the
// VERP return path that brings its bounces back to be counted, and the DKIM signer of its
// From domain (nil when the workspace has no key for it).
type Envelope interface {
	TransactionalReturnPath(ctx context.Context, ws, id int64, from string) (string, error)
	TransactionalSigner(ctx context.Context, ws int64, from string) (*deliver.Signer, error)
}

// maxCompiled bounds the templates kept compiled; past it the cache starts again.
const maxCompiled = 256

// compiler keeps templates compiled by campaign/render (HTML auto-escaped, CSS inlined,
// Markdown, the text part derived), keyed by the SHA-256 of their sources: the same message
// compiles once, and no two sources share an entry.
type compiler struct {
	mu sync.Mutex
	m  map[[32]byte]*render.Compiled
}

// compile returns the content's compiled template. A text-only message gets its HTML part
// from the text, read as Markdown, as a campaign's does. Errors are ErrInvalid.
func (k *compiler) compile(c campaign.Content) (*render.Compiled, error) {
	src := render.Template{Subject: c.Subject, Preheader: c.Preheader, HTML: c.HTML, Text: c.Text, Markdown: c.Markdown}
	if src.HTML == "" && src.Markdown == "" {
		src.Markdown = src.Text
	}
	h := sha256.New()
	for _, p := range []string{src.Subject, src.Preheader, src.HTML, src.Text, src.Markdown} {
		fmt.Fprintf(h, "%d:%s", len(p), p)
	}
	var key [32]byte
	h.Sum(key[:0])
	k.mu.Lock()
	t := k.m[key]
	k.mu.Unlock()
	if t != nil {
		return t, nil
	}
	t, err := render.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("%w: the message does not compile: %v", ErrInvalid, err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || len(k.m) >= maxCompiled {
		k.m = map[[32]byte]*render.Compiled{}
	}
	k.m[key] = t
	return t, nil
}

// personal is what a message is personalised with: the attributes of the workspace's
// contact with the address (none for a stranger), then the request's data over them, with
// .Contact.email the address. Both go through JSON, so the templates see JSON-like values.
func (s *Service) personal(ctx context.Context, ws int64, to, canonical string, data map[string]any) (map[string]any, error) {
	out := map[string]any{}
	k, err := s.st.ContactByEmail(ctx, ws, canonical)
	switch {
	case err == nil:
		if err := roundTrip(k.Attrs, out); err != nil {
			return nil, fmt.Errorf("contact %d attributes: %w", k.ID, err)
		}
		if k.Country != "" {
			out["country"] = k.Country
		}
	case !errors.Is(err, errs.ErrNotFound):
		return nil, fmt.Errorf("read the contact: %w", err)
	}
	if err := roundTrip(data, out); err != nil {
		return nil, fmt.Errorf("%w: data: %v", ErrInvalid, err)
	}
	out["email"] = to
	return out, nil
}

// roundTrip merges v, as JSON, into out.
func roundTrip(v map[string]any, out map[string]any) error {
	if len(v) == 0 {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, &out)
}

// compose renders the message for one recipient as a service message: the template's
// semantics are a campaign's, but it carries no compliance footer, no unsubscribe link and
// no list headers (it is one message to one person about their own business, not a mailing),
// and no tracking.
func (s *Service) compose(d draft, to string, contact map[string]any) (deliver.Message, error) {
	out, err := d.tmpl.RenderService(render.Data{Contact: contact, Campaign: map[string]any{"name": d.template, "purpose": d.purpose},
		Workspace: d.from.Name})
	if err != nil {
		return deliver.Message{}, fmt.Errorf("%w: the message does not render: %v", ErrInvalid, err)
	}
	m := deliver.Message{From: d.from.String(), To: to, Subject: out.Subject, Text: out.Text, HTML: out.HTML}
	if err := m.Validate(); err != nil {
		return deliver.Message{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return m, nil
}

// draft is a checked request: its sender, purpose and compiled template.
type draft struct {
	from     *mail.Address
	purpose  string
	template string
	tmpl     *render.Compiled
}

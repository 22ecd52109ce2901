package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clearlist/clearlist/internal/campaign/preflight"
	"github.com/clearlist/clearlist/internal/campaign/render"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/track"
	"github.com/clearlist/clearlist/internal/unsub"
)

// The workspace settings the composer reads (declared and checked in package workspace).
const (
	SettingSenderName      = "sender.name"
	SettingPostalAddress   = "sender.postal_address"
	SettingBounceDomain    = "bounce.domain"
	SettingTrackOpens      = "tracking.opens"
	SettingTrackClicks     = "tracking.clicks"
	SettingTrackIndividual = "tracking.individual"
)

// VERPKeyName is the workspace signing key of the VERP Return-Path's token.
const VERPKeyName = "verp"

// UnsubLinks gives the signed unsubscribe links of a workspace's messages (unsub.Service).
type UnsubLinks interface {
	Links(ctx context.Context, ws int64, publicBase, mailDomain string) (unsub.Links, error)
}

// Notices gives the processing notice of a purpose mailed on legitimate interest
// (eligibility.Service); "" when the workspace has no assessment for it.
type Notices interface {
	ProcessingNotice(ctx context.Context, ws int64, purpose string) (string, error)
}

// Trackers gives a campaign's open and click link builder (track.Service).
type Trackers interface {
	Linker(ctx context.Context, ws, campaign int64, publicBase string, individual bool) (track.Linker, error)
}

// Composer is the campaign Renderer and Gate built on the real parts: templates compiled
// once per campaign version (render), the compliance footer from the workspace's settings
// with the recipient's unsubscribe link and, for legitimate interest, the processing notice
// and their provenance; List-Unsubscribe (https + mailto) with One-Click, a VERP
// Return-Path, List-Id, Feedback-ID, DKIM when the workspace has a key for the From domain,
// and tracking when the workspace turns it on. It is safe for concurrent use.
type Composer struct {
	Settings Settings
	Links    UnsubLinks
	Notices  Notices
	Tracker  Trackers // nil: no tracking
	Keys     KeyStore
	DKIM     *DKIMKeys
	// PublicBase is the server's public URL (the unsubscribe and tracking links' base).
	PublicBase string
	// Resolver is the DNS the sender pre-flight asks; nil answers what it cannot check.
	Resolver func() (preflight.Resolver, error)
	// Relays are the configured SMTP relays; none: the development outbox (the pre-flight
	// then never blocks).
	Relays []preflight.Relay
	// MaxCached bounds the campaign versions kept prepared (default 64).
	MaxCached int

	mu    sync.Mutex
	cache map[prepKey]*prepared
}

type prepKey struct {
	ws, id           int64
	updated, started int64
	variant          int // an A/B test's variant: its own template and tracking links
}

// prepared is everything a campaign's messages share, read once per campaign version.
type prepared struct {
	tmpl                  *render.Compiled
	sender, postal        string
	notice                string
	links                 unsub.Links
	verpKey               []byte
	bounceDomain          string
	listID, feedbackID    string
	from                  string
	signer                *deliver.Signer
	linker                *track.Linker
	opens, clicks, person bool
	campaignData          map[string]any
}

var liBasis = policy.BasisLegitimateInterest.String()

// Render personalises the campaign's message for one recipient, adds the footer, the
// headers and the signature. A recipient without a contact (a test send, the start's trial
// render) gets a footer whose link unsubscribes nobody and no List-Unsubscribe.
func (k *Composer) Render(ctx context.Context, c Campaign, r Recipient) (deliver.Message, error) {
	p, err := k.prepare(ctx, c, r.Variant)
	if err != nil {
		return deliver.Message{}, err
	}
	contact := map[string]any{}
	if len(r.Attrs) > 0 {
		if err := json.Unmarshal(r.Attrs, &contact); err != nil {
			return deliver.Message{}, fmt.Errorf("contact %d attributes: %w", r.ContactID, err)
		}
	}
	contact["email"] = r.Address
	if r.Country != "" {
		contact["country"] = r.Country
	}
	f := render.Footer{SenderName: p.sender, PostalAddress: p.postal}
	m := deliver.Message{From: p.from, To: r.Address, ReplyTo: c.ReplyTo, ListID: p.listID, FeedbackID: p.feedbackID, DKIM: p.signer}
	if r.ContactID > 0 {
		if k.PublicBase == "" {
			return deliver.Message{}, fmt.Errorf("unsubscribe links need the server's public URL: set --public-url (CLEARLIST_PUBLIC_URL)")
		}
		link, err := p.links.For(r.ContactID, c.ID, c.Purpose)
		if err != nil {
			return deliver.Message{}, err
		}
		f.UnsubscribeURL, f.PreferencesURL, m.UnsubscribeMailto = link.HTTPS, link.Preferences, link.Mailto
		if strings.HasPrefix(link.HTTPS, "https://") { // RFC 8058 one-click needs https
			m.UnsubscribeURL = link.HTTPS
		}
		m.ReturnPath = deliver.VERPAddress(p.verpKey, p.bounceDomain, c.WorkspaceID, c.ID, r.ContactID)
	} else {
		f.UnsubscribeURL = unsub.URL(cmpOrStr(k.PublicBase, "http://localhost"), "test")
		f.PreferencesURL = unsub.PreferencesURL(f.UnsubscribeURL)
	}
	if r.Basis == liBasis {
		f.LegitimateInterest, f.ProcessingNotice, f.WhyYouGetThis = true, p.notice, r.Provenance
	}
	out, err := p.tmpl.Render(render.Data{Contact: contact, Campaign: p.campaignData, Workspace: p.sender}, f)
	if err != nil {
		return deliver.Message{}, err
	}
	m.Subject, m.Text, m.HTML = out.Subject, out.Text, out.HTML
	if p.linker != nil && m.HTML != "" && !r.Preview {
		l := *p.linker
		if p.person {
			l.Contact = r.ContactID
		}
		if m.HTML, err = trackHTML(l, m.HTML, p.opens, p.clicks); err != nil {
			return deliver.Message{}, fmt.Errorf("tracking links: %w", err)
		}
	}
	return m, nil
}

// trackHTML rewrites the links (clicks) and adds the open pixel (opens) of a rendered body.
func trackHTML(l track.Linker, html string, opens, clicks bool) (string, error) {
	if clicks {
		b, err := l.Apply(make([]byte, 0, len(html)+512), html, opens)
		return string(b), err
	}
	px, err := l.Pixel()
	if err != nil {
		return "", err
	}
	img := `<img src="` + px + `" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`
	if i := strings.LastIndex(strings.ToLower(html), "</body"); i >= 0 {
		return html[:i] + img + html[i:], nil
	}
	return html + img, nil
}

// prepare returns the campaign version's shared parts, building them on first use.
func (k *Composer) prepare(ctx context.Context, c Campaign, variant int) (*prepared, error) {
	key := prepKey{ws: c.WorkspaceID, id: c.ID, updated: c.UpdatedAt.UnixNano(), variant: variant}
	if c.StartedAt != nil {
		key.started = c.StartedAt.UnixNano()
	}
	k.mu.Lock()
	p := k.cache[key]
	k.mu.Unlock()
	if p != nil {
		return p, nil
	}
	p, err := k.build(ctx, c, variant)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cache == nil || len(k.cache) >= cmpOrInt(k.MaxCached, 64) {
		k.cache = map[prepKey]*prepared{} // bounded: versions of finished campaigns drop out together
	}
	k.cache[key] = p
	return p, nil
}

func cmpOrInt(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

func (k *Composer) setting(ctx context.Context, ws int64, name string) (string, error) {
	v, _, err := k.Settings.Setting(ctx, ws, name)
	if err != nil {
		return "", fmt.Errorf("workspace setting %s: %w", name, err)
	}
	return strings.TrimSpace(v), nil
}

func (k *Composer) flag(ctx context.Context, ws int64, name string) (bool, error) {
	v, err := k.setting(ctx, ws, name)
	if err != nil || v == "" {
		return false, err
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("workspace setting %s = %q: set it to true or false", name, v)
	}
	return b, nil
}

// trackFlag is a workspace tracking setting as the campaign's own choice (on, off, or ""
// for the workspace's) leaves it.
func (k *Composer) trackFlag(ctx context.Context, ws int64, name, campaign string) (bool, error) {
	switch campaign {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return k.flag(ctx, ws, name)
}

func (k *Composer) build(ctx context.Context, c Campaign, variant int) (*prepared, error) {
	ws := c.WorkspaceID
	src := render.Template{Subject: c.Subject, Preheader: c.Preheader, HTML: c.HTML, Text: c.Text, Markdown: c.Markdown}
	if src.HTML == "" && src.Markdown == "" {
		src.Markdown = src.Text // a text-only message gets its HTML part from the text, as Markdown
	}
	tmpl, err := render.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	p := &prepared{tmpl: tmpl, campaignData: map[string]any{"name": c.Name, "purpose": c.Purpose}}
	if err := k.Ready(ctx, c); err != nil {
		return nil, err
	}
	if p.sender, err = k.setting(ctx, ws, SettingSenderName); err != nil {
		return nil, err
	}
	if p.postal, err = k.setting(ctx, ws, SettingPostalAddress); err != nil {
		return nil, err
	}
	domain := domainOf(c.FromAddress)
	if p.bounceDomain, err = k.setting(ctx, ws, SettingBounceDomain); err != nil {
		return nil, err
	}
	p.bounceDomain = cmpOrStr(p.bounceDomain, domain)
	if p.links, err = k.Links.Links(ctx, ws, k.PublicBase, p.bounceDomain); err != nil {
		return nil, err
	}
	if p.verpKey, err = k.Keys.SigningKey(ctx, ws, VERPKeyName); err != nil {
		return nil, fmt.Errorf("VERP key: %w", err)
	}
	if k.Notices != nil {
		if p.notice, err = k.Notices.ProcessingNotice(ctx, ws, c.Purpose); err != nil {
			return nil, fmt.Errorf("processing notice: %w", err)
		}
	}
	if k.DKIM != nil {
		if p.signer, _, err = k.DKIM.Signer(ctx, ws, domain); err != nil {
			return nil, err
		}
	}
	p.from = (&mail.Address{Name: strings.Join(strings.Fields(c.FromName), " "), Address: c.FromAddress}).String()
	p.listID = fmt.Sprintf("%s <%s.ws%d.%s>", headerWords(c.Name), c.Purpose, ws, domain)
	p.feedbackID = deliver.FeedbackID("c"+strconv.FormatInt(c.ID, 10), "ws"+strconv.FormatInt(ws, 10), c.Purpose, "clearlist")
	if k.Tracker != nil {
		if p.opens, err = k.trackFlag(ctx, ws, SettingTrackOpens, c.TrackOpens); err != nil {
			return nil, err
		}
		if p.clicks, err = k.trackFlag(ctx, ws, SettingTrackClicks, c.TrackClicks); err != nil {
			return nil, err
		}
		// Individual tracking is the workspace's alone: no campaign can turn it on.
		if p.person, err = k.flag(ctx, ws, SettingTrackIndividual); err != nil {
			return nil, err
		}
		if p.opens || p.clicks {
			l, err := k.Tracker.Linker(ctx, ws, c.ID, k.PublicBase, p.person)
			if err != nil {
				return nil, err
			}
			// The variant is signed into every token, so that an event says which message it
			// came from even when it names nobody (aggregate tracking).
			l.Variant = variant
			p.linker = &l
		}
	}
	return p, nil
}

// headerWords keeps a name fit for a List-Id phrase: words, no quotes or angle brackets.
func headerWords(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || strings.ContainsRune(`"<>\`, r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}

func cmpOrStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ErrNotReady marks a campaign whose messages would lack what the footer must carry.
var ErrNotReady = errors.New("the compliance footer is incomplete")

// Ready refuses a campaign whose footer would lack the sender identity or the postal
// address, naming the setting to set. (The unsubscribe link's base, the public URL, is
// checked where messages are rendered: `serve` always has one.)
func (k *Composer) Ready(ctx context.Context, c Campaign) error {
	for _, s := range []struct{ name, what, example string }{
		{SettingSenderName, "sender identity", "Example GmbH"},
		{SettingPostalAddress, "postal address", "Example GmbH, Hauptstr. 1, 10115 Berlin, Germany"},
	} {
		v, err := k.setting(ctx, c.WorkspaceID, s.name)
		if err != nil {
			return err
		}
		if v == "" {
			return fmt.Errorf("%w: %w: campaign %q: every message must carry the sender's %s: "+
				"clearlist setting set %s \"%s\"", ErrInvalid, ErrNotReady, c.Name, s.what, s.name, s.example)
		}
	}
	return nil
}

// SenderCheck runs the sender-authentication pre-flight for the campaign's From, its
// Return-Path domain, the workspace's DKIM key for the From domain and the relays.
func (k *Composer) SenderCheck(ctx context.Context, c Campaign) (preflight.Report, error) {
	s := preflight.Sender{From: c.FromAddress, Relays: k.Relays}
	bounce, err := k.setting(ctx, c.WorkspaceID, SettingBounceDomain)
	if err != nil {
		return preflight.Report{}, err
	}
	s.ReturnPathDomain = bounce
	if k.DKIM != nil {
		_, keys, err := k.DKIM.Signer(ctx, c.WorkspaceID, domainOf(c.FromAddress))
		if err != nil {
			return preflight.Report{}, err
		}
		if len(keys) > 0 {
			s.DKIMDomain, s.DKIMSelector, s.DKIMPublicKey = keys[0].Domain, keys[0].Selector, keys[0].public
		}
	}
	var r preflight.Resolver
	if k.Resolver != nil {
		r, err = k.Resolver()
	}
	if r == nil || err != nil {
		f := preflight.Finding{Check: "dns", Status: preflight.StatusSkip,
			Message: "no relay and no DNS server are configured: the messages stay in the development outbox and the sender's DNS records were not checked",
			Fix:     "configure a campaign relay (--relay) or a DNS server (--dns-server) to check them"}
		if err != nil {
			f.Status, f.Message = preflight.StatusWarn, "the sender's DNS records were not checked: "+err.Error()
			f.Fix = "set --dns-server (CLEARLIST_DNS_SERVER) and run the pre-flight again"
		}
		return preflight.Report{Findings: []preflight.Finding{f}, Outbox: len(k.Relays) == 0}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return preflight.Check(ctx, r, s, preflight.Options{}), nil
}

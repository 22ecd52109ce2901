package unsub

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/track"
)

// RecordedBy names the public unsubscribe link as the recorder of its entries (and the
// actor's name in their audit entries).
const RecordedBy = "public:unsubscribe"

// Page is what the unsubscribe page shows for a valid link.
type Page struct {
	Address string // the address, partly masked ("" when the contact no longer exists)
	Purpose string // the purpose the message was sent for ("" offers only everything)
	// PurposeDone and AllDone say what the person's own requests on file already cover.
	PurposeDone, AllDone bool
	// Purposes are the workspace's marketing purposes, for the preferences page (none when
	// the contact no longer exists).
	Purposes []PurposeChoice
}

// Result is the answer to an unsubscribe request.
type Result struct {
	Address  string // the address, partly masked
	Purpose  string // the purpose unsubscribed from; "" for everything
	Recorded bool   // false when an equal request was on file already, or the contact is gone
	// Purposes are the purposes a choice on the preferences page stopped (Choose).
	Purposes []string
}

// Open verifies a link for the page, which only shows the choices: a GET never
// unsubscribes, because link scanners and previews follow links. A bad link is
// ErrLinkInvalid.
func (s *Service) Open(ctx context.Context, token string) (Page, error) {
	tg, err := s.open(ctx, token)
	if err != nil {
		return Page{}, err
	}
	p := Page{Address: Mask(tg.address), Purpose: tg.tok.Purpose}
	if tg.address == "" {
		p.PurposeDone, p.AllDone = true, true
		return p, nil
	}
	on, err := s.dnc.SuppressionsFor(ctx, tg.tok.Workspace, string(suppress.KindEmail), tg.address)
	if err != nil {
		return Page{}, fmt.Errorf("unsubscribe page: %w", err)
	}
	p.AllDone = coveredBy(on, tg.effective(ScopeAll))
	p.PurposeDone = coveredBy(on, tg.effective(ScopePurpose))
	if p.Purposes, err = s.choices(ctx, tg.tok.Workspace, on); err != nil {
		return Page{}, fmt.Errorf("unsubscribe page: %w", err)
	}
	return p, nil
}

// coveredBy reports whether a person's own request on file blocks all that sc does, for the
// address itself (an operator's domain entry or a bounce can be lifted; they do not count).
func coveredBy(on []suppress.Suppression, sc suppress.Scope) bool {
	for _, e := range on {
		if e.Kind != string(suppress.KindEmail) || !suppress.Reason(e.Reason).PersonOriginated() {
			continue
		}
		if (e.ScopeChannel == "" || e.ScopeChannel == suppress.ChannelEmail) && (e.ScopePurpose == "" || e.ScopePurpose == sc.Purpose) {
			return true
		}
	}
	return false
}

// Unsubscribe records the choice made on the page: the address the link is for goes on the
// do-not-contact list for the message's purpose or for everything, reason unsubscribe, with
// the visitor's IP and user agent as evidence — one transaction with its audit entry, and in
// this process's screening index before it returns. A second request for what is already on
// file answers the same and records nothing. A bad link is ErrLinkInvalid and records nothing.
func (s *Service) Unsubscribe(ctx context.Context, token string, sc Scope, ip, userAgent string) (Result, error) {
	if _, err := ParseScope(string(sc)); err != nil {
		return Result{}, err
	}
	return s.record(ctx, token, sc, suppress.InWeb, ip, userAgent)
}

// OneClick records an RFC 8058 one-click unsubscribe (a mailbox provider's POST): the
// message's purpose, as the person's "unsubscribe" button in their mail program means.
func (s *Service) OneClick(ctx context.Context, token, ip, userAgent string) (Result, error) {
	return s.record(ctx, token, ScopePurpose, suppress.InOneClick, ip, userAgent)
}

func (s *Service) record(ctx context.Context, token string, sc Scope, in, ip, userAgent string) (Result, error) {
	tg, err := s.open(ctx, token)
	if err != nil {
		return Result{}, err
	}
	scope := tg.effective(sc)
	res := Result{Address: Mask(tg.address), Purpose: scope.Purpose}
	if tg.address == "" {
		return res, nil
	}
	ws := tg.tok.Workspace
	on, err := s.dnc.SuppressionsFor(ctx, ws, string(suppress.KindEmail), tg.address)
	if err != nil {
		return Result{}, fmt.Errorf("unsubscribe: %w", err)
	}
	if onFile(on, ws, scope) { // the same request on file: answer alike, write nothing (not even a change number)
		return res, nil
	}
	a := audit.ActorFrom(ctx)
	if a.Kind == audit.Public && a.Name == "" {
		a.Name = "unsubscribe"
		ctx = audit.WithActor(ctx, a)
	}
	added, _, err := s.dnc.Suppress(ctx, ws, []suppress.Intake{{Kind: string(suppress.KindEmail), Value: tg.address,
		Scope: scope.String(), Reason: string(suppress.ReasonUnsubscribe), ChannelIn: in, By: RecordedBy,
		Note: evidence(tg.tok, in, ip, userAgent)}})
	if err != nil {
		return Result{}, fmt.Errorf("unsubscribe: %w", err)
	}
	res.Recorded = len(added) > 0
	if res.Recorded && s.events != nil && tg.tok.Campaign != 0 {
		// The do-not-contact entry is the person's request and is kept; the event is only the
		// campaign's measurement, so failing to write it does not undo the unsubscribe.
		_ = s.events.RecordEvent(ctx, track.Event{Workspace: ws, Campaign: tg.tok.Campaign, Contact: tg.tok.Contact,
			Kind: track.EventUnsubscribed, At: time.Now().UTC()})
	}
	return res, nil
}

// evidence is the entry's note: how the request came, for which campaign, and the client's
// IP and user agent (one line, bounded: the list refuses control characters).
func evidence(t Token, in, ip, userAgent string) string {
	var b strings.Builder
	b.WriteString("unsubscribe link")
	if in == suppress.InOneClick {
		b.WriteString(" (one-click POST)")
	} else {
		b.WriteString(" (page)")
	}
	if t.Campaign != 0 {
		b.WriteString("; campaign " + strconv.FormatInt(t.Campaign, 10))
	}
	if t.Purpose != "" {
		b.WriteString("; sent for " + t.Purpose)
	}
	b.WriteString("; IP " + clean(ip, 64))
	if ua := clean(userAgent, 200); ua != "" {
		b.WriteString("; user agent " + ua)
	}
	return b.String()
}

// clean drops control characters and cuts s to at most n bytes on a rune boundary.
func clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Mask shows enough of an address for its owner to recognise it and little to anyone else:
// the first character of the local part and of the domain, and the top-level domain
// (ann.lee@example.com → a***@e***.com).
func Mask(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" {
		return ""
	}
	first := func(s string) string {
		for _, r := range s {
			return string(r)
		}
		return ""
	}
	out := first(local) + "***@" + first(domain) + "***"
	if i := strings.LastIndexByte(domain, '.'); i > 0 && i < len(domain)-1 {
		out += domain[i:]
	}
	return out
}

package transactional

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/suppress"
)

// Store is what the service keeps its send log in and reads templates and purposes from;
// the store implements it.
type Store interface {
	ContactByEmail(ctx context.Context, ws int64, canonical string) (contact.Contact, error)
	TemplateByName(ctx context.Context, ws int64, name string) (campaign.Template, error)
	Purposes(ctx context.Context, ws int64) ([]consent.Purpose, error)
	// RecordTransactional writes a send (sending or refused) with its audit entry, in one
	// transaction, and returns it with its id.
	RecordTransactional(ctx context.Context, s Send) (Send, error)
	// FinishTransactional records the outcome of a send in sending.
	FinishTransactional(ctx context.Context, s Send) error
	// TransactionalSends lists the send log, newest first, before an id (0: from the newest).
	TransactionalSends(ctx context.Context, ws, before int64, limit int) ([]Send, error)
	TakeTokens(ctx context.Context, key string, rate, burst float64, n int, at time.Time) (time.Duration, error)
}

// Screener is the do-not-contact list (suppress.Service).
type Screener interface {
	CheckSuppressed(ctx context.Context, ws int64, kind, value, channel, purpose string) (suppress.CheckAnswer, error)
	SuppressionsFor(ctx context.Context, ws int64, kind, value string) ([]suppress.Suppression, error)
}

// Settings reads a workspace setting (workspace.Service); ok is false when unset.
type Settings interface {
	Setting(ctx context.Context, ws int64, name string) (string, bool, error)
}

// Service sends transactional messages. It is safe for concurrent use.
type Service struct {
	st       Store
	screen   Screener
	env      Envelope
	send     deliver.Sender
	settings Settings
	tmpls    compiler
	now      func() time.Time
	// MaxWait is the longest a request waits for the stream's rate before it is refused.
	MaxWait time.Duration
}

// New returns the service; env (nil: no VERP return path, no DKIM) gives its messages their
// envelope and signature.
func New(st Store, screen Screener, env Envelope, send deliver.Sender, settings Settings) *Service {
	return &Service{st: st, screen: screen, env: env, send: send, settings: settings, now: time.Now, MaxWait: 2 * time.Second}
}

// Send screens, renders and sends one message at once and records it. A refusal by the
// do-not-contact list is recorded (state refused) and returned as ErrRefused with the send.
func (s *Service) Send(ctx context.Context, r Request) (Send, error) {
	d, err := s.message(ctx, r)
	if err != nil {
		return Send{}, err
	}
	to, canonical, err := contact.CanonicalEmail(r.To)
	if err != nil {
		return Send{}, fmt.Errorf("%w: to: %v", ErrInvalid, err)
	}
	rec := Send{WorkspaceID: r.WorkspaceID, Address: to, Purpose: r.Purpose, Template: r.Template, State: StateSending,
		CreatedAt: s.now().UTC()}
	if why, err := s.refused(ctx, r.WorkspaceID, to, r.Purpose); err != nil {
		return Send{}, err
	} else if why != "" {
		rec.State, rec.Reason = StateRefused, why
		rec, err = s.st.RecordTransactional(ctx, rec)
		if err != nil {
			return Send{}, err
		}
		return rec, fmt.Errorf("%w: %s", ErrRefused, why)
	}
	data, err := s.personal(ctx, r.WorkspaceID, to, canonical, r.Data)
	if err != nil {
		return Send{}, err
	}
	m, err := s.compose(d, to, data)
	if err != nil {
		return Send{}, err
	}
	if s.env != nil {
		if m.DKIM, err = s.env.TransactionalSigner(ctx, r.WorkspaceID, d.from.Address); err != nil {
			return Send{}, err
		}
	}
	if err := s.wait(ctx, r.WorkspaceID); err != nil {
		return Send{}, err
	}
	if rec, err = s.st.RecordTransactional(ctx, rec); err != nil {
		return Send{}, err
	}
	rec.MessageID = fmt.Sprintf("t%d.%d@%s", rec.ID, rec.CreatedAt.UnixNano(), domainOf(d.from.Address))
	m.MessageID = rec.MessageID
	m.FeedbackID = deliver.FeedbackID("t"+strconv.FormatInt(rec.ID, 10), strconv.FormatInt(r.WorkspaceID, 10), Stream, "clearlist")
	if s.env != nil { // bounces come back to clearlist and count (bounce processing)
		if m.ReturnPath, err = s.env.TransactionalReturnPath(ctx, r.WorkspaceID, rec.ID, d.from.Address); err != nil {
			return rec, fmt.Errorf("transactional message %d: return path: %w", rec.ID, err)
		}
	}
	err = s.send.Send(ctx, m)
	at := s.now().UTC()
	switch {
	case err == nil:
		rec.State, rec.SentAt = StateSent, &at
	case errors.Is(err, deliver.ErrOutcomeUnknown):
		rec.Reason = "the relay's answer was lost: the message may have been sent (not resent)"
	default:
		rec.State, rec.Reason, rec.SMTPCode = StateFailed, clip(err.Error(), 500), smtpCode(err)
	}
	if ferr := s.st.FinishTransactional(ctx, rec); ferr != nil {
		return rec, fmt.Errorf("record the outcome of transactional message %d: %w", rec.ID, ferr)
	}
	if rec.State == StateFailed {
		return rec, fmt.Errorf("send transactional message %d: %w", rec.ID, err)
	}
	return rec, nil
}

// Sends lists the send log, newest first, before an id (0: from the newest).
func (s *Service) Sends(ctx context.Context, ws, before int64, limit int) ([]Send, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	return s.st.TransactionalSends(ctx, ws, before, limit)
}

// message checks the request and prepares what every recipient of it shares: the stream's
// sender, the purpose, the template's or the request's parts compiled.
func (s *Service) message(ctx context.Context, r Request) (draft, error) {
	if _, err := mail.ParseAddress(strings.TrimSpace(r.To)); err != nil || strings.ContainsAny(r.To, "\r\n<>") {
		return draft{}, fmt.Errorf("%w: to: give one e-mail address, not %q", ErrInvalid, r.To)
	}
	if err := s.purpose(ctx, r.WorkspaceID, r.Purpose); err != nil {
		return draft{}, err
	}
	from, ok, err := s.setting(ctx, r.WorkspaceID, SettingFrom)
	if err != nil {
		return draft{}, err
	}
	addr, perr := mail.ParseAddress(from)
	if !ok || perr != nil {
		return draft{}, fmt.Errorf("%w: no transactional sender: set one with `clearlist setting set %s \"Name <address>\"`",
			ErrInvalid, SettingFrom)
	}
	content := r.Content
	if r.Template != "" {
		if content != (campaign.Content{}) {
			return draft{}, fmt.Errorf("%w: give a template or the parts, not both", ErrInvalid)
		}
		t, err := s.st.TemplateByName(ctx, r.WorkspaceID, r.Template)
		if err != nil {
			return draft{}, fmt.Errorf("%w: template %q: %v", ErrInvalid, r.Template, err)
		}
		content = t.Content
	}
	if strings.TrimSpace(content.Subject) == "" || content.HTML == "" && content.Text == "" && content.Markdown == "" {
		return draft{}, fmt.Errorf("%w: give a saved template or a subject and a body (html, text or markdown)", ErrInvalid)
	}
	tmpl, err := s.tmpls.compile(content)
	if err != nil {
		return draft{}, err
	}
	return draft{from: addr, purpose: r.Purpose, template: r.Template, tmpl: tmpl}, nil
}

// purpose allows a service purpose (not marketing) of the workspace only.
func (s *Service) purpose(ctx context.Context, ws int64, name string) error {
	ps, err := s.st.Purposes(ctx, ws)
	if err != nil {
		return fmt.Errorf("read purposes: %w", err)
	}
	for _, p := range ps {
		if p.Name != name {
			continue
		}
		if p.Marketing {
			return fmt.Errorf("%w: purpose %q is marketing: transactional messages are for service purposes "+
				"(declare one with `clearlist consent purpose add NAME` without marketing); send marketing as a campaign", ErrInvalid, name)
		}
		return nil
	}
	return fmt.Errorf("%w: purpose %q does not exist in this workspace (`clearlist consent purposes` lists them)", ErrInvalid, name)
}

// refused says why the do-not-contact list refuses the message, or "". Only what covers a
// service message stops it: an entry for every channel and purpose (an objection to all
// contact, an erasure), one for the message's own purpose, or a hard bounce (the address
// does not exist). An unsubscribe from marketing does not stop a receipt.
func (s *Service) refused(ctx context.Context, ws int64, to, purpose string) (string, error) {
	ans, err := s.screen.CheckSuppressed(ctx, ws, string(suppress.KindEmail), to, string(suppress.ChannelEmail), purpose)
	if err != nil {
		return "", fmt.Errorf("screen %s: %w", "the address", err)
	}
	if ans.Contactable {
		return "", nil
	}
	if ans.Scope == "all" {
		return "a do-not-contact entry covers every channel and purpose for this address", nil
	}
	entries, err := s.screen.SuppressionsFor(ctx, ws, string(suppress.KindEmail), to)
	if err != nil {
		return "", fmt.Errorf("screen the address: %w", err)
	}
	for _, e := range entries {
		switch {
		case e.Reason == string(suppress.ReasonHardBounce):
			return "the address hard-bounced (it does not exist); fix the address before sending to it", nil
		case e.ScopeChannel == "" && e.ScopePurpose == "":
			return "a do-not-contact entry (" + e.Reason + ") covers every channel and purpose for this address", nil
		case e.ScopePurpose == purpose && (e.ScopeChannel == "" || e.ScopeChannel == string(suppress.ChannelEmail)):
			return "a do-not-contact entry (" + e.Reason + ") covers the purpose " + purpose + " for this address", nil
		}
	}
	return "", nil
}

// wait takes a token of the stream's shared bucket, waiting up to MaxWait.
func (s *Service) wait(ctx context.Context, ws int64) error {
	rate := DefaultRate
	if v, ok, err := s.setting(ctx, ws, SettingRate); err != nil {
		return err
	} else if ok {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 {
			rate = f
		}
	}
	key := "transactional:" + strconv.FormatInt(ws, 10)
	d, err := s.st.TakeTokens(ctx, key, rate, max(1, rate), 1, s.now().UTC())
	if err != nil {
		return fmt.Errorf("transactional rate: %w", err)
	}
	if d <= 0 {
		return nil
	}
	if d > s.MaxWait {
		_, _ = s.st.TakeTokens(ctx, key, rate, max(1, rate), -1, s.now().UTC())
		return fmt.Errorf("%w: %g messages a second (setting %s); try again in %s", ErrRateLimited, rate, SettingRate, d.Round(time.Millisecond))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (s *Service) setting(ctx context.Context, ws int64, name string) (string, bool, error) {
	if s.settings == nil {
		return "", false, nil
	}
	v, ok, err := s.settings.Setting(ctx, ws, name)
	if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", name, err)
	}
	return v, ok && v != "", nil
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "localhost"
}

func smtpCode(err error) int {
	var se *deliver.SendError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

package signup

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/i18n"
)

// Subscribe validates a sign-up, records it (source, contact, sign-up, one granted entry per
// ticked purpose whose consent is not already active) and sends the confirmation e-mail. A
// known address is treated exactly like a new one, so that the answer does not reveal who is
// on a list: an address on the do-not-contact list, one that was sent a link moments ago, or
// one with nothing left to confirm gets the same answer and no mail. A repeat of an open
// sign-up renews its link instead of writing new rows. Only lists marked public can be
// signed up to; an unknown or private list, and a workspace without public lists, give
// ErrNoWorkspace alike.
func (s *Service) Subscribe(ctx context.Context, in Submission) error {
	ws, purposes, err := s.workspace(ctx, in.Workspace)
	if err != nil {
		return err
	}
	listID, err := s.publicList(ctx, ws, in.List)
	if err != nil {
		return err
	}
	checked, err := Check(in.Request, purposes)
	if err != nil {
		return err
	}
	if blocked, err := s.suppressed(ctx, ws, checked); err != nil || blocked {
		return err
	}
	at := s.now()
	if !s.recipients().reserve(ws, checked.Canonical, at) {
		return nil
	}
	p, err := s.plan(ctx, ws, checked, listID, at)
	if err != nil || p.nothing {
		return err
	}
	secret, err := NewSecret()
	if err != nil {
		return err
	}
	lang := i18n.Default
	if i18n.Supported(in.Lang) {
		lang = in.Lang
	}
	sg := p.open
	if sg != nil {
		sg.ExpiresAt = at.Add(s.window())
		if err := s.st.RenewSignupLink(ctx, ws, sg.ID, SecretHash(secret), sg.ExpiresAt, lang); err != nil {
			return err
		}
	} else if sg, err = s.record(ctx, ws, in, checked, listID, p, secret, at, lang); err != nil {
		return err
	}
	if err := s.mailLink(ctx, ws, sg, secret, lang, checked.Email, in.Workspace, checked.Purposes, p.open != nil); err != nil {
		s.recipients().release(ws, checked.Canonical, at) // not sent: the person may try again at once
		return err
	}
	return nil
}

// mailLink sends the confirmation e-mail of sign-up sg for purposes, in language lang, with
// the link of secret to the address to; renewed says the link replaces an earlier one.
func (s *Service) mailLink(ctx context.Context, ws int64, sg *Signup, secret [32]byte, lang, to, workspace string,
	purposes []string, renewed bool) error {
	key, err := s.st.SigningKey(ctx, ws, KeyName)
	if err != nil {
		return err
	}
	tok := Token{Workspace: ws, Signup: sg.ID, Secret: secret, Lang: lang}.Encode(key)
	link := strings.TrimRight(s.PublicURL, "/") + "/confirm?token=" + url.QueryEscape(tok) + "&lang=" + lang
	if err := s.Sender.Send(ctx, confirmationMail(lang, s.From, to, workspace, purposes, link, sg.ExpiresAt, renewed)); err != nil {
		s.log().ErrorContext(ctx, "send confirmation e-mail", "workspace_id", ws, "signup_id", sg.ID, "err", err)
		return ErrMailFailed
	}
	return nil
}

// record writes a new sign-up in one transaction: its source, the contact if new, the
// sign-up and a granted entry for each purpose the plan says needs one. An address that
// became a contact since the plan was made (signed up twice at the same moment) is
// written again as the existing contact's.
func (s *Service) record(ctx context.Context, ws int64, in Submission, checked Checked, listID *int64,
	p plan, secret [32]byte, at time.Time, lang string) (*Signup, error) {
	ip, ua := evidenceIP(in.IP), Clean(in.UserAgent, 512)
	wording := map[string]string{}
	for _, pu := range checked.Purposes {
		wording[pu] = in.Wording[pu]
	}
	wordingJSON, _ := json.Marshal(wording)
	w := Write{
		Source: contact.Source{WorkspaceID: ws, Type: "web-form-double-opt-in",
			Description: "double opt-in sign-up (" + in.FormID + ")", CollectedBy: "clearlist public form", CollectedAt: &at,
			Evidence: map[string]string{"form_url": Clean(in.FormURL, 1024), "form_id": in.FormID,
				"form_version": in.FormVersion, "wording": string(wordingJSON)}},
		Signup: Signup{WorkspaceID: ws, ListID: listID, Purposes: checked.Purposes, FormID: in.FormID,
			FormVersion: in.FormVersion, Wording: wording, TokenHash: SecretHash(secret), RequestedAt: at,
			RequestIP: ip, RequestUA: ua, ExpiresAt: at.Add(s.window()), Lang: lang},
	}
	for _, pu := range p.grant {
		w.Entries = append(w.Entries, consent.Entry{WorkspaceID: ws, Purpose: pu, Channel: consent.Email,
			Action: consent.Granted, Basis: consent.BasisDoubleOptIn, Actor: "public:subscribe",
			Evidence: consent.Evidence{Wording: wording[pu], FormID: in.FormID, FormVersion: in.FormVersion, IP: ip,
				UserAgent: ua, Timestamp: at, Collector: "clearlist public form"}})
	}
	if p.contact != nil {
		w.Signup.ContactID = p.contact.ID
	} else {
		w.Contact = &contact.Contact{WorkspaceID: ws, Email: checked.Email, EmailCanonical: checked.Canonical, Attrs: map[string]any{}}
	}
	sg, err := s.st.WriteSignup(ctx, w)
	if errors.Is(err, errs.ErrConflict) && w.Contact != nil {
		c, err := s.st.ContactByEmail(ctx, ws, checked.Canonical)
		if err != nil {
			return nil, err
		}
		w.Contact, w.Signup.ContactID = nil, c.ID
		sg, err = s.st.WriteSignup(ctx, w)
		return &sg, err
	}
	return &sg, err
}

// evidenceIP keeps an address only if it parses: evidence must be what it claims to be.
func evidenceIP(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	return a.Unmap().String()
}

package unsub

import (
	"fmt"
	"strings"
)

// PathPrefix is where the server answers unsubscribe links: GET shows the page, POST takes
// the page's form and the RFC 8058 one-click request.
const PathPrefix = "/u/"

// MailboxPrefix starts the local part of the mailto form: unsubscribe+TOKEN@domain.
const MailboxPrefix = "unsubscribe+"

// OneClickBody is the body a mailbox provider POSTs to the link (RFC 8058 §3.1), and the value
// of the List-Unsubscribe-Post header that announces it.
const OneClickBody = "List-Unsubscribe=One-Click"

// URL is the https link of an encoded token under the server's public base URL
// (https://lists.example.com, with or without a trailing slash).
func URL(publicBase, token string) string {
	return strings.TrimRight(publicBase, "/") + PathPrefix + token
}

// Mailto is the mailto form of List-Unsubscribe for an encoded token: a message to
// unsubscribe+TOKEN@domain unsubscribes like the link (the inbound side reads it back with
// FromMailbox). The token is base64url, so the address needs no quoting.
func Mailto(domain, token string) string {
	return "mailto:" + MailboxPrefix + token + "@" + domain + "?subject=unsubscribe"
}

// FromMailbox returns the encoded token of an unsubscribe address's local part
// (unsubscribe+TOKEN), or false when it is not one. The token is still to be verified.
func FromMailbox(local string) (string, bool) {
	if len(local) <= len(MailboxPrefix) || !strings.EqualFold(local[:len(MailboxPrefix)], MailboxPrefix) {
		return "", false
	}
	return local[len(MailboxPrefix):], true
}

// ChooseQuery marks the unsubscribe link as the footer's "Manage your preferences" link: the
// page shows its choices (this purpose, or everything) headed as the person's preferences.
const ChooseQuery = "choose=1"

// PreferencesURL is the preferences form of an unsubscribe page's https link: the same
// signed link, opening the page's choices.
func PreferencesURL(https string) string { return https + "?" + ChooseQuery }

// Link is everything one message needs to carry its unsubscribe mechanism.
type Link struct {
	Token  string // the encoded token
	HTTPS  string // the page and the one-click POST target (footer link, List-Unsubscribe)
	Mailto string // the mailto form; "" when no mail domain was given
	// Preferences is the footer's "Manage your preferences" link (PreferencesURL of HTTPS).
	Preferences string
}

// ListUnsubscribe is the value of the List-Unsubscribe header: the https link first (the
// one RFC 8058 one-click applies to), then the mailto form when there is one.
func (l Link) ListUnsubscribe() string {
	v := "<" + l.HTTPS + ">"
	if l.Mailto != "" {
		v += ", <" + l.Mailto + ">"
	}
	return v
}

// ListUnsubscribePost is the value of the List-Unsubscribe-Post header (RFC 8058).
func (l Link) ListUnsubscribePost() string { return OneClickBody }

// Links builds the links of one workspace's messages with its key, read once per campaign
// (Service.Links), so that a message costs one HMAC and no database read.
type Links struct {
	ws         int64
	sign       signer
	publicBase string
	mailDomain string
}

// NewLinks returns a link builder for the workspace with its key (Service.Key), the
// server's public base URL and the domain of the mailto form ("" leaves the mailto form out).
func NewLinks(ws int64, key []byte, publicBase, mailDomain string) Links {
	return Links{ws: ws, sign: newSigner(key), publicBase: publicBase, mailDomain: mailDomain}
}

// For returns the links of one message to contact, sent by campaign (0: none) for purpose
// ("" offers only "everything"). A token that is not Valid is refused, not encoded.
func (l Links) For(contact, campaign int64, purpose string) (Link, error) {
	t := Token{Workspace: l.ws, Contact: contact, Campaign: campaign, Purpose: purpose}
	if !t.Valid() {
		return Link{}, fmt.Errorf("unsubscribe link for contact %d, campaign %d, purpose %q: %w", contact, campaign, purpose, ErrBadToken)
	}
	tok := t.encode(l.sign)
	out := Link{Token: tok, HTTPS: URL(l.publicBase, tok)}
	out.Preferences = PreferencesURL(out.HTTPS)
	if l.mailDomain != "" {
		out.Mailto = Mailto(l.mailDomain, tok)
	}
	return out, nil
}

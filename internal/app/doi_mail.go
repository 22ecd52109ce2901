package app

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/suppress"
)

// expiryInterval is how often a running server expires unconfirmed sign-ups.
const expiryInterval = time.Hour

// Sender returns the configured mail transport: the SMTP relay, or the development outbox
// folder when no relay is set.
func (a *App) Sender() deliver.Sender {
	if a.Cfg.SMTPAddr == "" {
		return &deliver.Outbox{Dir: cmp.Or(a.Cfg.OutboxDir, filepath.Join(a.Cfg.DataDir, "outbox"))}
	}
	return &deliver.SMTP{Addr: a.Cfg.SMTPAddr, Username: a.Cfg.SMTPUser,
		Password: cmp.Or(a.Cfg.SMTPPassword, os.Getenv("CLEARLIST_SMTP_PASSWORD")), TLS: deliver.TLSMode(cmp.Or(a.Cfg.SMTPTLS, "starttls"))}
}

// doiWindow is how long confirmation links work.
func (a *App) doiWindow() time.Duration {
	if a.Cfg.DOIExpiryDays > 0 {
		return time.Duration(a.Cfg.DOIExpiryDays) * 24 * time.Hour
	}
	return DefaultDOIWindow
}

// NewDOI builds the double opt-in service; publicURL is the base of the links it mails.
func (a *App) NewDOI(publicURL string, sender deliver.Sender) *DOI {
	return &DOI{Store: a.Store, Sender: sender, From: cmp.Or(a.Cfg.MailFrom, "clearlist <noreply@localhost>"),
		PublicURL: cmp.Or(a.Cfg.PublicURL, publicURL), Window: a.doiWindow(), Log: a.Log, Suppressed: a.emailSuppressed}
}

// emailSuppressed reports whether the workspace's (or the instance's) do-not-contact list
// blocks e-mail to the address, for any of the purposes (suppress.Service.Suppressed).
func (a *App) emailSuppressed(ctx context.Context, ws int64, email string, purposes []string) (bool, error) {
	return a.Suppressions.Suppressed(ctx, ws, string(suppress.KindEmail), email, suppress.ChannelEmail, purposes)
}

func confirmationMail(from, to, workspace string, purposes []string, link string, expires time.Time) deliver.Message {
	text := fmt.Sprintf(`Hello,

someone, hopefully you, asked to receive e-mail from %s about: %s.

To confirm, open this link and press "Confirm my subscription":

%s

The link works until %s. If you did not ask for this, ignore this message:
nothing will be sent to you.
`, workspace, strings.Join(purposes, ", "), link, expires.Format("2 January 2006 15:04 MST"))
	return deliver.Message{From: from, To: to, Subject: "Please confirm your subscription", Text: text}
}

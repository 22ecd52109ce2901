package app

import (
	"cmp"
	"os"
	"path/filepath"
	"time"

	"github.com/clearlist/clearlist/internal/deliver"
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
		PublicURL: cmp.Or(a.Cfg.PublicURL, publicURL), Window: a.doiWindow(), Log: a.Log}
}

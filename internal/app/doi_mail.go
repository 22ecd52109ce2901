package app

import (
	"cmp"
	"os"
	"path/filepath"
	"time"

	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/signup"
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
	return signup.DefaultWindow
}

// NewDOI builds the double opt-in service from the configuration; publicURL is the base of
// the links it mails when the configuration sets none.
func (a *App) NewDOI(publicURL string, sender deliver.Sender) *signup.Service {
	s := signup.New(a.st, a.Suppressions)
	s.Sender, s.From = sender, cmp.Or(a.Cfg.MailFrom, "clearlist <noreply@localhost>")
	s.PublicURL, s.Window, s.Log = cmp.Or(a.Cfg.PublicURL, publicURL), a.doiWindow(), a.Log
	return s
}

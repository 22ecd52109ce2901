package app

import (
	"cmp"
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/signup"
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
	return signup.DefaultWindow
}

// NewDOI builds the double opt-in service from the configuration; publicURL is the base of
// the links it mails when the configuration sets none.
func (a *App) NewDOI(publicURL string, sender deliver.Sender) *signup.Service {
	s := signup.New(a.Store, doiScreener{a})
	s.Sender, s.From = sender, cmp.Or(a.Cfg.MailFrom, "clearlist <noreply@localhost>")
	s.PublicURL, s.Window, s.Log = cmp.Or(a.Cfg.PublicURL, publicURL), a.doiWindow(), a.Log
	return s
}

// doiScreener is the do-not-contact screen of sign-ups (signup.Screener), through
// emailSuppressed until suppress.Service provides it.
type doiScreener struct{ a *App }

func (s doiScreener) Suppressed(ctx context.Context, ws int64, _, value, _ string, purposes []string) (bool, error) {
	return s.a.emailSuppressed(ctx, ws, value, purposes)
}

// emailSuppressed reports whether the workspace's (or the instance's) do-not-contact list
// blocks e-mail to the address, for any of the purposes. An address the list cannot read
// counts as blocked: nothing is sent to what cannot be screened.
func (a *App) emailSuppressed(ctx context.Context, ws int64, email string, purposes []string) (bool, error) {
	for _, p := range append([]string{""}, purposes...) {
		ans, err := a.CheckSuppressed(ctx, ws, "email", email, "email", p)
		if errors.Is(err, suppress.ErrInvalid) {
			return true, nil
		} else if err != nil {
			return false, err
		}
		if !ans.Contactable {
			return true, nil
		}
	}
	return false, nil
}

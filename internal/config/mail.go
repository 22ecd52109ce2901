package config

import (
	"fmt"
	"net/mail"
	"net/url"
)

// validateMail checks the outgoing-mail and public-link settings.
func (c *Config) validateMail() error {
	if c.MailFrom != "" {
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			return fmt.Errorf("--mail-from %q is not an e-mail address: give one like \"News <news@example.com>\"", c.MailFrom)
		}
	}
	switch c.SMTPTLS {
	case "", "starttls", "tls", "none":
	default:
		return fmt.Errorf("--smtp-tls %q: use starttls, tls or none", c.SMTPTLS)
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--public-url %q: give an absolute http(s) URL such as https://lists.example.com", c.PublicURL)
		}
	}
	if c.DOIExpiryDays < 0 {
		return fmt.Errorf("--doi-expiry-days %d: give a number of days, e.g. 7", c.DOIExpiryDays)
	}
	return nil
}

package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Inbound configures the mail clearlist receives: the SMTP server serve runs for the
// bounce and reply domains, and the Maildir folder it polls.
type Inbound struct {
	InboundAddr          string        `name:"inbound" env:"CLEARLIST_INBOUND" default:"" help:"serve also runs the inbound SMTP server on this address (e.g. :2525) for bounces, complaints and replies to the workspaces' bounce.domain and inbound.domains; empty: none."`
	InboundCert          string        `name:"inbound-cert" env:"CLEARLIST_INBOUND_CERT" default:"" type:"path" help:"PEM certificate (chain) of the inbound SMTP server; with --inbound-key it offers STARTTLS."`
	InboundKey           string        `name:"inbound-key" env:"CLEARLIST_INBOUND_KEY" default:"" type:"path" help:"PEM private key of --inbound-cert."`
	InboundHostname      string        `name:"inbound-hostname" env:"CLEARLIST_INBOUND_HOSTNAME" default:"" help:"Name the inbound SMTP server greets with (the MX host name); default the host name."`
	InboundMaxSize       string        `name:"inbound-max-size" env:"CLEARLIST_INBOUND_MAX_SIZE" default:"10MB" help:"Largest message the inbound SMTP server and bounce ingest take (e.g. 10MB, 512KB); larger ones are refused (552)."`
	InboundTimeout       time.Duration `name:"inbound-timeout" env:"CLEARLIST_INBOUND_TIMEOUT" default:"5m" help:"Time an inbound SMTP client has for each command, and for the whole of a message's data."`
	InboundMaxRecipients int           `name:"inbound-max-recipients" env:"CLEARLIST_INBOUND_MAX_RECIPIENTS" default:"100" help:"Recipients of one inbound message; more are refused (452)."`
	InboundMaxConns      int           `name:"inbound-max-connections" env:"CLEARLIST_INBOUND_MAX_CONNECTIONS" default:"100" help:"Inbound SMTP connections at once; more are told 421 and closed."`
	BounceMaildir        string        `name:"bounce-maildir" env:"CLEARLIST_BOUNCE_MAILDIR" default:"" type:"path" help:"Maildir folder serve polls for bounces, complaints and replies (messages in new/ are ingested, then moved to cur/); give every serve process of a database the same folder."`
	BounceMaildirEvery   time.Duration `name:"bounce-maildir-every" env:"CLEARLIST_BOUNCE_MAILDIR_EVERY" default:"30s" help:"How often the --bounce-maildir folder is polled."`
}

// validateInbound checks the inbound settings.
func (c *Inbound) validateInbound() error {
	if (c.InboundCert == "") != (c.InboundKey == "") {
		return fmt.Errorf("--inbound-cert and --inbound-key go together: give both (STARTTLS) or neither")
	}
	if _, err := c.InboundMaxBytes(); err != nil {
		return err
	}
	if c.InboundAddr != "" && (c.InboundTimeout <= 0 || c.InboundMaxRecipients <= 0 || c.InboundMaxConns <= 0) {
		return fmt.Errorf("--inbound-timeout, --inbound-max-recipients and --inbound-max-connections must be above 0 (e.g. 5m, 100, 100)")
	}
	if c.BounceMaildir != "" && c.BounceMaildirEvery < time.Second {
		return fmt.Errorf("--bounce-maildir-every %s: poll at most once a second (e.g. 30s)", c.BounceMaildirEvery)
	}
	return nil
}

// InboundMaxBytes is --inbound-max-size in bytes.
func (c *Inbound) InboundMaxBytes() (int, error) {
	s := strings.ToUpper(strings.TrimSpace(c.InboundMaxSize))
	if s == "" {
		return 10 << 20, nil
	}
	mult := 1
	for _, u := range []struct {
		suffix string
		mult   int
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 1<<30/mult {
		return 0, fmt.Errorf("--inbound-max-size %q: give a size such as 10MB, 512KB or 1048576 (at most 1GB)", c.InboundMaxSize)
	}
	return n * mult, nil
}

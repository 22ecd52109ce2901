// Package config is clearlist's one configuration struct, filled from flags, CLEARLIST_*
// environment variables and an optional JSON file (flags win over the environment, the
// environment over the file).
package config

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Config holds the settings every command shares.
type Config struct {
	DB            string `name:"db" env:"CLEARLIST_DB" default:"clearlist.db" help:"Database: a SQLite file path, or a postgres://user@host/db URL."`
	Workspace     string `name:"workspace" env:"CLEARLIST_WORKSPACE" default:"default" help:"Workspace (data controller) to work in; it must exist (clearlist workspace ls, clearlist workspace create NAME)."`
	DataDir       string `name:"data-dir" env:"CLEARLIST_DATA_DIR" default:"." help:"Folder for uploads and error reports."`
	DefaultRegion string `name:"default-region" env:"CLEARLIST_DEFAULT_REGION" default:"" help:"Country (ISO 3166 alpha-2, e.g. US, GB) for phone numbers written without +country code."`
	LogLevel      string `name:"log-level" env:"CLEARLIST_LOG_LEVEL" default:"info" enum:"debug,info,warn,error" help:"Log level: debug, info, warn, error."`

	// Outgoing mail (confirmation e-mails). Without an SMTP relay, mail goes to the development
	// outbox folder. The password is read from CLEARLIST_SMTP_PASSWORD only, never a flag.
	SMTPAddr      string `name:"smtp-addr" env:"CLEARLIST_SMTP_ADDR" default:"" help:"SMTP relay host:port; empty writes mail to the outbox folder instead."`
	SMTPUser      string `name:"smtp-user" env:"CLEARLIST_SMTP_USER" default:"" help:"SMTP user name (AUTH PLAIN); the password comes from CLEARLIST_SMTP_PASSWORD."`
	SMTPPassword  string `kong:"-" json:"-"`
	SMTPTLS       string `name:"smtp-tls" env:"CLEARLIST_SMTP_TLS" default:"starttls" enum:"starttls,tls,none" help:"SMTP security: starttls, tls (port 465) or none (a relay on this machine only)."`
	MailFrom      string `name:"mail-from" env:"CLEARLIST_MAIL_FROM" default:"clearlist <noreply@localhost>" help:"From address of the e-mails clearlist sends."`
	OutboxDir     string `name:"outbox-dir" env:"CLEARLIST_OUTBOX_DIR" default:"" help:"Development outbox folder used when --smtp-addr is empty; default DATA-DIR/outbox."`
	PublicURL     string `name:"public-url" env:"CLEARLIST_PUBLIC_URL" default:"" help:"Base URL people reach the server at, for links in e-mails; default http://ADDR."`
	DOIExpiryDays int    `name:"doi-expiry-days" env:"CLEARLIST_DOI_EXPIRY_DAYS" default:"7" help:"Days a double opt-in confirmation link works; unconfirmed sign-ups then expire."`
	DNSServer     string `name:"dns-server" env:"CLEARLIST_DNS_SERVER" default:"" help:"DNS server (host:port) for address verification; default the first nameserver of /etc/resolv.conf."`
	ProbeHelo     string `name:"probe-helo" env:"CLEARLIST_PROBE_HELO" default:"" help:"HELO name of the SMTP mailbox probe (verify --probe); default the host name."`
	ProbeFrom     string `name:"probe-from" env:"CLEARLIST_PROBE_FROM" default:"" help:"MAIL FROM of the SMTP mailbox probe; default the address of --mail-from."`
	ReverifyDays  int    `name:"reverify-days" env:"CLEARLIST_REVERIFY_DAYS" default:"90" help:"serve re-verifies addresses last checked more than this many days ago (0: never)."`

	// The key that wraps the secrets stored in the database: a file, or CLEARLIST_SECRET_KEY
	// (never a flag, so that it does not show in the process list).
	SecretKeyFile string `name:"secret-key-file" env:"CLEARLIST_SECRET_KEY_FILE" default:"" type:"path" help:"File holding the key that wraps the keys stored in the database (or set CLEARLIST_SECRET_KEY); see clearlist keys."`
	SecretKey     string `kong:"-" json:"-"`
	// Campaign relays (SMTP servers campaigns send through, in order of preference) and the
	// per-receiving-domain rates; none: campaigns go to the development outbox. Passwords come
	// from CLEARLIST_RELAY_PASSWORD or the variable a relay names (password_env=), never a flag.
	Relays      []string `name:"relay" env:"CLEARLIST_RELAY" sep:"," help:"Campaign SMTP relay, repeatable: smtp://USER@HOST:587?tls=starttls&max_conns=8&rate=50 (smtps:// for TLS on 465; options name, tls, max_conns, max_per_conn, rate, burst, auth, password_env). The password comes from CLEARLIST_RELAY_PASSWORD or the variable password_env names. None: campaigns go to the outbox folder."`
	DomainRates []string `name:"domain-rate" env:"CLEARLIST_DOMAIN_RATE" sep:"," help:"Messages per second to one receiving domain, shared by every process: RATE for every domain, DOMAIN=RATE for one (e.g. --domain-rate 20 --domain-rate gmail.com=50). None: no per-domain limit."`
	// The mail clearlist receives: bounces, complaints and replies (inbound.go).
	Inbound

	// Behind a reverse proxy: whose forwarding headers tell the client's address.
	TrustedProxies string `name:"trusted-proxies" env:"CLEARLIST_TRUSTED_PROXIES" default:"" help:"Reverse proxies (IP addresses or CIDR ranges, comma-separated) whose X-Forwarded-For / Forwarded headers give the client's address; others' are ignored."`
}

// Validate checks the values that flags and the environment cannot check by their type.
func (c *Config) Validate() error {
	if strings.TrimSpace(c.DB) == "" {
		return fmt.Errorf("--db is empty: give a SQLite file path or a postgres:// URL")
	}
	if strings.TrimSpace(c.Workspace) == "" {
		return fmt.Errorf("--workspace is empty: name a workspace, e.g. --workspace default")
	}
	if err := c.validateMail(); err != nil {
		return err
	}
	if err := c.validateInbound(); err != nil {
		return err
	}
	if _, err := c.CampaignRelays(); err != nil {
		return err
	}
	if _, _, err := c.DomainLimits(); err != nil {
		return err
	}
	if r := c.DefaultRegion; r != "" && (len(r) != 2 || strings.ToUpper(r) != r) {
		return fmt.Errorf("--default-region %q: use a two-letter upper-case country code such as US or GB", r)
	}
	return nil
}

// Logger builds the process logger at the configured level, writing text to stderr.
func (c *Config) Logger() *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}

package config

import (
	"cmp"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/clearlist/clearlist/internal/campaign/preflight"
	"github.com/clearlist/clearlist/internal/deliver"
)

// RelayPasswordEnv is the variable holding the campaign relays' password, for relays that do
// not name their own (password_env=).
const RelayPasswordEnv = "CLEARLIST_RELAY_PASSWORD"

// CampaignRelays parses the --relay values into the relays of the campaign pool, in order of
// preference; none means campaigns go to the development outbox.
func (c *Config) CampaignRelays() ([]deliver.Relay, error) {
	var out []deliver.Relay
	for _, v := range c.Relays {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		r, err := ParseRelay(v, os.Getenv)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// ParseRelay reads one relay URL: smtp://[USER@]HOST[:PORT]?OPTIONS (port 587, STARTTLS) or
// smtps://… (port 465, TLS from the start). Options: name, tls (starttls|tls|none), max_conns,
// max_per_conn, rate and burst (messages per second through this relay, shared by every
// process), auth (PLAIN|LOGIN), password_env (the variable holding the password; default
// CLEARLIST_RELAY_PASSWORD). A password in the URL is refused: it would show in the process
// list and in logs. getenv reads the environment.
func ParseRelay(raw string, getenv func(string) string) (deliver.Relay, error) {
	bad := func(format string, args ...any) (deliver.Relay, error) {
		return deliver.Relay{}, fmt.Errorf("--relay %q: "+format, append([]any{redact(raw)}, args...)...)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return bad("give a URL like smtp://user@smtp.example.com:587?tls=starttls")
	}
	r := deliver.Relay{TLS: deliver.TLSStartTLS}
	port := "587"
	switch u.Scheme {
	case "smtp":
	case "smtps":
		r.TLS, port = deliver.TLSImplicit, "465"
	default:
		return bad("the scheme must be smtp:// or smtps://")
	}
	if _, has := u.User.Password(); has {
		return bad("put the password in %s (or the variable password_env names), not in the URL", RelayPasswordEnv)
	}
	host := u.Hostname()
	if u.Port() != "" {
		port = u.Port()
	}
	r.Addr = net.JoinHostPort(host, port)
	r.Username = u.User.Username()
	q := u.Query()
	for k := range q {
		switch k {
		case "name", "tls", "max_conns", "max_per_conn", "rate", "burst", "auth", "password_env":
		default:
			return bad("unknown option %q (name, tls, max_conns, max_per_conn, rate, burst, auth, password_env)", k)
		}
	}
	r.Name = q.Get("name")
	switch t := q.Get("tls"); t {
	case "":
	case "starttls", "tls", "none":
		r.TLS = deliver.TLSMode(t)
	default:
		return bad("tls=%s: use starttls, tls or none", t)
	}
	ints := []struct {
		key string
		dst *int
	}{{"max_conns", &r.MaxConns}, {"max_per_conn", &r.MaxMessagesPerConn}, {"burst", &r.Burst}}
	for _, o := range ints {
		if v := q.Get(o.key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return bad("%s=%s: give a whole number", o.key, v)
			}
			*o.dst = n
		}
	}
	if v := q.Get("rate"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return bad("rate=%s: give messages per second, e.g. rate=50", v)
		}
		r.RatePerSec = f
	}
	switch a := strings.ToUpper(q.Get("auth")); a {
	case "", "PLAIN", "LOGIN":
		r.Auth = a
	default:
		return bad("auth=%s: use PLAIN or LOGIN", q.Get("auth"))
	}
	if r.Username != "" {
		env := q.Get("password_env")
		if env == "" {
			env = RelayPasswordEnv
		}
		r.Password = getenv(env)
		if r.Password == "" {
			return bad("user %s needs a password: set %s", r.Username, env)
		}
	}
	return r, nil
}

// redact drops a password from a relay URL before it is quoted in an error.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unreadable URL)"
	}
	return u.Redacted()
}

// DomainLimits parses the --domain-rate values: the rate for every receiving domain (RATE)
// and for named ones (DOMAIN=RATE), in messages per second. Keys are "domain:<domain>".
func (c *Config) DomainLimits() (def deliver.Limit, per map[string]deliver.Limit, err error) {
	per = map[string]deliver.Limit{}
	for _, v := range c.DomainRates {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		domain, num, named := strings.Cut(v, "=")
		if !named {
			num, domain = domain, ""
		}
		f, perr := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if perr != nil || f < 0 {
			return def, nil, fmt.Errorf("--domain-rate %q: give RATE or DOMAIN=RATE in messages per second, e.g. gmail.com=50", v)
		}
		// A second's worth may go at once, so that a quiet domain is not paced message by message.
		lim := deliver.Limit{PerSecond: f, Burst: max(1, int(f))}
		if domain == "" {
			def = lim
		} else {
			per["domain:"+strings.ToLower(strings.TrimSpace(domain))] = lim
		}
	}
	return def, per, nil
}

// PreflightRelays are the SMTP relays campaigns go through, for the sender pre-flight: the
// campaign relays (--relay), else the one relay of every e-mail (--smtp-addr); none means the
// development outbox. (A --relay that does not parse is reported when the pool is opened.)
func (c *Config) PreflightRelays() []preflight.Relay {
	if rs, err := c.CampaignRelays(); err == nil && len(rs) > 0 {
		out := make([]preflight.Relay, len(rs))
		for i, r := range rs {
			out[i] = preflight.Relay{Addr: r.Addr, HeloName: r.HelloName, TLS: string(r.TLS), TLSConfig: r.TLSConfig}
		}
		return out
	}
	if c.SMTPAddr == "" {
		return nil
	}
	return []preflight.Relay{{Addr: c.SMTPAddr, TLS: string(deliver.TLSMode(cmp.Or(c.SMTPTLS, "starttls")))}}
}

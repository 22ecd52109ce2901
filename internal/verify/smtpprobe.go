package verify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// ProbeConfig configures an SMTPProber. Zero values take the defaults.
type ProbeConfig struct {
	HeloName string // name sent with EHLO; default "localhost" (use the host's public name in production)
	MailFrom string // reverse-path for MAIL FROM; default "" (the null sender <>)
	Port     int    // port on the mail exchangers; default 25
	// Dial opens connections; default a net.Dialer. Tests dial 127.0.0.1.
	Dial           func(ctx context.Context, network, address string) (net.Conn, error)
	ConnectTimeout time.Duration // per connection attempt; default 10 s
	CommandTimeout time.Duration // per SMTP reply; default 30 s
	SessionTimeout time.Duration // per mail exchanger, greeting to QUIT; default 60 s
	MaxHosts       int           // mail exchangers tried; default 2
	PerDomainConns int           // probes at once per recipient domain; default 2
	PerDomainRate  float64       // probes per second per recipient domain; default 1
	PerDomainBurst int           // probes allowed at once before the rate applies; default 3
	GreylistRetry  time.Duration // retry hint when a 4xx gives none; default 5 min
}

// SMTPProber is a Prober that talks SMTP: EHLO, MAIL FROM, RCPT TO for the
// address, RCPT TO for a random local part (catch-all detection), QUIT. It
// never sends DATA, so no mail is ever delivered.
type SMTPProber struct {
	cfg     ProbeConfig
	limiter *keyLimiter
	random  func() string
}

// NewSMTPProber returns a prober for cfg.
func NewSMTPProber(cfg ProbeConfig) *SMTPProber {
	cfg.HeloName = cmp.Or(cfg.HeloName, "localhost")
	cfg.Port = cmp.Or(cfg.Port, 25)
	cfg.ConnectTimeout = cmp.Or(cfg.ConnectTimeout, 10*time.Second)
	cfg.CommandTimeout = cmp.Or(cfg.CommandTimeout, 30*time.Second)
	cfg.SessionTimeout = cmp.Or(cfg.SessionTimeout, time.Minute)
	cfg.MaxHosts = cmp.Or(cfg.MaxHosts, 2)
	cfg.PerDomainConns = cmp.Or(cfg.PerDomainConns, 2)
	cfg.PerDomainRate = cmp.Or(cfg.PerDomainRate, 1)
	cfg.PerDomainBurst = cmp.Or(cfg.PerDomainBurst, 3)
	cfg.GreylistRetry = cmp.Or(cfg.GreylistRetry, 5*time.Minute)
	if cfg.Dial == nil {
		d := &net.Dialer{}
		cfg.Dial = d.DialContext
	}
	return &SMTPProber{
		cfg:     cfg,
		limiter: newKeyLimiter(cfg.PerDomainConns, cfg.PerDomainRate, cfg.PerDomainBurst),
		random:  func() string { return fmt.Sprintf("cl-probe-%016x", rand.Uint64()) },
	}
}

// Probe asks the first MaxHosts of mx, in order, until one answers RCPT.
func (p *SMTPProber) Probe(ctx context.Context, address string, mx []string) ProbeResult {
	at := strings.LastIndexByte(address, '@')
	if at < 0 || len(mx) == 0 {
		return ProbeResult{Outcome: ProbeFailed, Message: "no address or no mail exchanger to ask"}
	}
	domain := address[at+1:]
	release, err := p.limiter.acquire(ctx, domain)
	if err != nil {
		return ProbeResult{Outcome: ProbeTimeout, Message: "waiting for the per-domain limit: " + err.Error(), RetryAfter: time.Minute}
	}
	defer release()
	res := ProbeResult{Outcome: ProbeFailed}
	for _, host := range mx[:min(len(mx), p.cfg.MaxHosts)] {
		res = p.session(ctx, host, address, domain)
		if res.Outcome != ProbeFailed && res.Outcome != ProbeTimeout {
			break // a host answered RCPT; another would say the same
		}
	}
	return res
}

// session runs one SMTP conversation with host.
func (p *SMTPProber) session(ctx context.Context, host, address, domain string) ProbeResult {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.SessionTimeout)
	defer cancel()
	res := ProbeResult{Host: host}
	dialCtx, dialCancel := context.WithTimeout(ctx, p.cfg.ConnectTimeout)
	conn, err := p.cfg.Dial(dialCtx, "tcp", net.JoinHostPort(host, strconv.Itoa(p.cfg.Port)))
	dialCancel()
	if err != nil {
		return p.failure(ctx, res, err)
	}
	// Closing the connection is what interrupts a server that stops
	// answering: the client's reads then fail at once.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c := smtp.NewClient(conn)
	c.CommandTimeout = p.cfg.CommandTimeout
	defer c.Close()
	if err := c.Hello(p.cfg.HeloName); err != nil {
		return p.failure(ctx, res, err)
	}
	var opts *smtp.MailOptions
	if !isASCII(address) {
		opts = &smtp.MailOptions{UTF8: true}
	}
	if err := c.Mail(p.cfg.MailFrom, opts); err != nil {
		return p.failure(ctx, res, err)
	}
	err = c.Rcpt(address, nil)
	res = p.rcptResult(ctx, res, err)
	if res.Outcome == ProbeAccepted {
		// A server that also takes a mailbox nobody has accepts everything.
		if c.Rcpt(p.random()+"@"+domain, nil) == nil {
			res.Outcome = ProbeCatchAll
		}
	}
	_ = c.Quit() // politeness only: the answer is in
	return res
}

func (p *SMTPProber) rcptResult(ctx context.Context, res ProbeResult, err error) ProbeResult {
	var se *smtp.SMTPError
	switch {
	case err == nil:
		res.Outcome, res.Code = ProbeAccepted, 250
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500:
		res.Outcome, res.Code, res.Message = ProbeGreylisted, se.Code, se.Message
		res.RetryAfter = retryHint(se.Message, p.cfg.GreylistRetry)
	case errors.As(err, &se) && se.Code >= 500 && se.EnhancedCode[1] != 7:
		res.Outcome, res.Code, res.Message = ProbeRejected, se.Code, se.Message
	default: // 5.7.x is policy (our address or IP), not the mailbox
		return p.failure(ctx, res, err)
	}
	return res
}

// failure describes a conversation that ended before RCPT was answered.
func (p *SMTPProber) failure(ctx context.Context, res ProbeResult, err error) ProbeResult {
	var se *smtp.SMTPError
	res.Outcome, res.Message = ProbeFailed, err.Error()
	switch {
	case errors.As(err, &se):
		res.Code, res.Message = se.Code, se.Message
	case ctx.Err() != nil || isTimeout(err):
		res.Outcome, res.RetryAfter = ProbeTimeout, p.cfg.GreylistRetry
	}
	return res
}

// retryHint reads "try again in 300 seconds" / "greylisted for 5 minutes"
// from a 4xx reply; def when there is no such number.
func retryHint(msg string, def time.Duration) time.Duration {
	fields := strings.Fields(strings.ToLower(msg))
	for i := 0; i+1 < len(fields); i++ {
		n, err := strconv.Atoi(fields[i])
		if err != nil || n <= 0 {
			continue
		}
		switch unit := fields[i+1]; {
		case strings.HasPrefix(unit, "sec"), unit == "s":
			return min(time.Duration(n)*time.Second, 24*time.Hour)
		case strings.HasPrefix(unit, "min"), unit == "m":
			return min(time.Duration(n)*time.Minute, 24*time.Hour)
		}
	}
	return def
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

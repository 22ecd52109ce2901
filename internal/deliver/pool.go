package deliver

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"sync/atomic"
	"time"
)

// PoolConfig configures a Pool.
type PoolConfig struct {
	Relays []Relay // in order of preference: the next one takes over when one fails
	// DomainLimiter throttles per receiving domain, with keys "domain:<domain>" (lower case).
	// Nil: no per-domain limit.
	DomainLimiter Limiter
	// RelayLimiter throttles per relay, with keys "relay:<name>". Nil: an in-process limiter
	// built from each Relay's RatePerSec and Burst. Give a store-shared one (SharedLimiter) so
	// that the limit holds across processes.
	RelayLimiter Limiter
	// Buckets, when RelayLimiter is nil, keeps the per-relay limits built from each Relay's
	// RatePerSec and Burst in shared token buckets (a SharedLimiter over the store), so that
	// they hold across every worker of every process; nil keeps them in this process.
	Buckets BucketStore
}

// Pool is the campaign transport: persistent, reused connections to several relays, rate
// limits per relay and per receiving domain, and failover to the next relay when one cannot
// be reached. It is safe for concurrent use; call Send from as many goroutines as the relays
// have connections. It implements Sender.
type Pool struct {
	relays   []*relayPool
	domains  Limiter
	relayLim Limiter
	closed   atomic.Bool
}

// NewPool checks the configuration and returns a pool; connections open on first use.
func NewPool(cfg PoolConfig) (*Pool, error) {
	if len(cfg.Relays) == 0 {
		return nil, errors.New("smtp pool: no relay configured")
	}
	p := &Pool{domains: cfg.DomainLimiter, relayLim: cfg.RelayLimiter}
	limits := map[string]Limit{}
	names := map[string]bool{}
	for _, r := range cfg.Relays {
		if names[r.name()] {
			return nil, errors.New("smtp pool: two relays are named " + r.name() + "; name them apart")
		}
		names[r.name()] = true
		if r.Addr == "" {
			return nil, errors.New("smtp pool: a relay has no address")
		}
		switch r.TLS {
		case TLSStartTLS, TLSImplicit, TLSNone:
		case "":
			r.TLS = TLSStartTLS
		default:
			return nil, errors.New("smtp pool: relay " + r.name() + ": TLS mode must be starttls, tls or none")
		}
		if r.MaxConns <= 0 {
			r.MaxConns = 8
		}
		if r.MaxMessagesPerConn == 0 {
			r.MaxMessagesPerConn = 100
		}
		if r.IdleTimeout <= 0 {
			r.IdleTimeout = 30 * time.Second
		}
		if r.TLS != TLSNone {
			// Reconnections resume the TLS session instead of a full handshake.
			r.TLSConfig = r.tlsConfig().Clone()
			if r.TLSConfig.ClientSessionCache == nil {
				r.TLSConfig.ClientSessionCache = tls.NewLRUClientSessionCache(r.MaxConns)
			}
		}
		if r.RatePerSec > 0 {
			limits["relay:"+r.name()] = Limit{PerSecond: r.RatePerSec, Burst: r.Burst}
		}
		p.relays = append(p.relays, &relayPool{cfg: r, closed: &p.closed, sem: make(chan struct{}, r.MaxConns)})
	}
	if p.relayLim == nil && len(limits) > 0 {
		p.relayLim = &RateLimiter{Limits: limits}
		if cfg.Buckets != nil {
			p.relayLim = &SharedLimiter{Store: cfg.Buckets, Limits: limits}
		}
	}
	return p, nil
}

// ErrPoolClosed is returned by Send after Close.
var ErrPoolClosed = errors.New("smtp pool: closed")

// Send builds m (DKIM-signed when m.DKIM is set) and delivers it. See Sender for the errors;
// a failure before the relay could have accepted the message is tried on the next relay.
func (p *Pool) Send(ctx context.Context, m Message) error {
	b := getBuilder()
	defer putBuilder(b)
	from, to, err := b.build(&m)
	if err != nil {
		return err
	}
	return p.SendRaw(ctx, from, to, b.out)
}

// SendRaw delivers an already built message (CRLF line ends) from the envelope sender to the
// recipient, with the same limits, failover and errors as Send.
func (p *Pool) SendRaw(ctx context.Context, from, to string, data []byte) error {
	if p.closed.Load() {
		return ErrPoolClosed
	}
	if p.domains != nil {
		if err := p.domains.Wait(ctx, "domain:"+recipientDomain(to)); err != nil {
			return &TemporaryError{err}
		}
	}
	order, up := p.order()
	// Spill over: when the preferred relay has no free connection, start with the first
	// relay that is up and has one, rather than queue behind the busy one.
	held := false
	for i, rp := range order[:up] {
		select {
		case rp.sem <- struct{}{}:
			order = append([]*relayPool{rp}, append(order[:i:i], order[i+1:]...)...)
			held = true
		default:
			continue
		}
		break
	}
	var last *SendError
	for i, rp := range order {
		se := p.sendVia(ctx, rp, from, to, data, held && i == 0)
		if se == nil {
			return nil
		}
		if ctx.Err() != nil && se.Code == 0 && !se.Unknown {
			return &TemporaryError{ctx.Err()}
		}
		// Only a relay that could not take the message at all is worth another try
		// elsewhere; a reply is the relay's verdict on this message.
		if se.Unknown || se.Code != 0 && !se.RelayFault {
			return se.wrap()
		}
		last = se
	}
	return last.wrap()
}

// order lists the relays to try: the up ones in preference order (the first up of them),
// then those resting after a failure (rather than give up while one of them may be back).
func (p *Pool) order() (order []*relayPool, up int) {
	now := time.Now()
	order = make([]*relayPool, 0, len(p.relays))
	var down []*relayPool
	for _, rp := range p.relays {
		if rp.isDown(now) {
			down = append(down, rp)
		} else {
			order = append(order, rp)
		}
	}
	return append(order, down...), len(order)
}

func recipientDomain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}

// sendVia sends through one relay, retrying once on a fresh connection when a reused one
// turns out to be dead before the relay took anything.
// held says the caller already holds one of the relay's connection slots.
func (p *Pool) sendVia(ctx context.Context, rp *relayPool, from, to string, data []byte, held bool) *SendError {
	if held {
		defer func() { <-rp.sem }()
	}
	if p.relayLim != nil {
		if err := p.relayLim.Wait(ctx, "relay:"+rp.cfg.name()); err != nil {
			return &SendError{Relay: rp.cfg.name(), Stage: "connect", Message: err.Error(), Temporary: true, Err: err}
		}
	}
	if !held {
		select {
		case rp.sem <- struct{}{}:
		case <-ctx.Done():
			return &SendError{Relay: rp.cfg.name(), Stage: "connect", Message: ctx.Err().Error(), Temporary: true, Err: ctx.Err()}
		}
		defer func() { <-rp.sem }()
	}
	for attempt := 0; ; attempt++ {
		c, reused := rp.get()
		if c == nil {
			var err error
			rp.dials.Add(1)
			if c, err = dial(ctx, &rp.cfg); err != nil {
				se := err.(*SendError)
				rp.markDown(se)
				return se
			}
		}
		se := c.send(ctx, from, to, data)
		rp.put(c)
		if se == nil {
			rp.messages.Add(1)
			rp.markUp()
			return nil
		}
		if reused && attempt == 0 && se.Code == 0 && !se.Unknown {
			continue // the relay closed an idle connection: open a new one
		}
		if se.Code == 0 && !se.Unknown {
			se.RelayFault = true
			rp.markDown(se)
		}
		return se
	}
}

// RelayStats counts what one relay did.
type RelayStats struct {
	Name     string
	Dials    int64 // connections opened
	Messages int64 // messages accepted
	Idle     int   // connections waiting for the next message
}

// Stats reports each relay's counters, in configuration order.
func (p *Pool) Stats() []RelayStats {
	out := make([]RelayStats, len(p.relays))
	for i, rp := range p.relays {
		rp.mu.Lock()
		idle := len(rp.idle)
		rp.mu.Unlock()
		out[i] = RelayStats{Name: rp.cfg.name(), Dials: rp.dials.Load(), Messages: rp.messages.Load(), Idle: idle}
	}
	return out
}

// Close says QUIT on the idle connections; Send fails with ErrPoolClosed afterwards.
func (p *Pool) Close() error {
	p.closed.Store(true)
	for _, rp := range p.relays {
		rp.mu.Lock()
		idle := rp.idle
		rp.idle = nil
		rp.mu.Unlock()
		for _, c := range idle {
			c.quit()
		}
	}
	return nil
}

package deliver

import (
	"crypto/tls"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Relay is one SMTP server the pool hands messages to.
type Relay struct {
	Name      string // label in errors and limiter keys; default Addr
	Addr      string // host:port
	TLS       TLSMode
	TLSConfig *tls.Config // default: verify the certificate for Addr's host
	HelloName string      // EHLO name; default "localhost"
	Username  string      // authenticate when set
	Password  string
	Auth      string // SASL mechanism: PLAIN (default) or LOGIN
	// DisablePipelining sends MAIL, RCPT and DATA one at a time even when the relay offers
	// PIPELINING (for a relay that offers it but gets it wrong).
	DisablePipelining bool

	MaxConns           int           // connections open at once; default 8
	MaxMessagesPerConn int           // then the connection is closed and a new one opened; default 100, <0 no limit
	RatePerSec         float64       // messages per second through this relay; 0 no limit
	Burst              int           // tokens a quiet relay saves up; default 1
	Timeout            time.Duration // connect + handshake, and each transaction; default 30 s
	IdleTimeout        time.Duration // idle connections older than this are not reused; default 30 s
}

func (r *Relay) name() string {
	if r.Name != "" {
		return r.Name
	}
	return r.Addr
}

func (r *Relay) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return 30 * time.Second
}

func (r *Relay) tlsConfig() *tls.Config {
	if r.TLSConfig != nil {
		return r.TLSConfig
	}
	host, _, _ := net.SplitHostPort(r.Addr)
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

// relayPool is one relay's connections and health.
type relayPool struct {
	cfg       Relay
	closed    *atomic.Bool  // the pool's
	sem       chan struct{} // one token per connection that may be open
	mu        sync.Mutex
	idle      []*conn
	downUntil time.Time
	failures  int
	dials     atomic.Int64
	messages  atomic.Int64
}

// get takes an idle connection, dropping ones idle too long; nil means dial.
func (rp *relayPool) get() (*conn, bool) {
	now := time.Now()
	rp.mu.Lock()
	defer rp.mu.Unlock()
	for len(rp.idle) > 0 {
		c := rp.idle[len(rp.idle)-1]
		rp.idle = rp.idle[:len(rp.idle)-1]
		if now.Sub(c.idleSince) < rp.cfg.IdleTimeout {
			return c, true
		}
		go c.quit()
	}
	return nil, false
}

// put returns a connection to the pool, or closes it when it is broken or has carried its
// share of messages.
func (rp *relayPool) put(c *conn) {
	if c.broken || rp.closed.Load() || rp.cfg.MaxMessagesPerConn > 0 && c.sent >= rp.cfg.MaxMessagesPerConn {
		c.quit()
		return
	}
	c.idleSince = time.Now()
	rp.mu.Lock()
	rp.idle = append(rp.idle, c)
	rp.mu.Unlock()
}

func (rp *relayPool) isDown(now time.Time) bool {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return now.Before(rp.downUntil)
}

// markDown keeps the pool away from a failing relay for a while, longer each time.
func (rp *relayPool) markDown(*SendError) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.failures++
	backoff := time.Second << min(rp.failures-1, 6) // 1 s … 64 s
	rp.downUntil = time.Now().Add(backoff)
}

func (rp *relayPool) markUp() {
	rp.mu.Lock()
	rp.failures, rp.downUntil = 0, time.Time{}
	rp.mu.Unlock()
}

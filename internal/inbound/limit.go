package inbound

import (
	"net"
	"sync"
	"time"
)

// limitListener lets at most max connections be open at once; one more is told 421 and
// closed at once, so that the sending server retries later instead of waiting in the
// backlog.
func limitListener(ln net.Listener, max int, writeTimeout time.Duration) net.Listener {
	return &limited{Listener: ln, sem: make(chan struct{}, max), wt: writeTimeout}
}

type limited struct {
	net.Listener
	sem chan struct{}
	wt  time.Duration
}

func (l *limited) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.sem <- struct{}{}:
			return &limitedConn{Conn: c, release: func() { <-l.sem }}, nil
		default:
			go func() { // never block the accept loop on a slow client
				c.SetWriteDeadline(time.Now().Add(l.wt))
				c.Write([]byte("421 4.7.0 Too many connections, try again later\r\n"))
				c.Close()
			}()
		}
	}
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

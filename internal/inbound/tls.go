package inbound

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// certCheckEvery is how often the certificate files are looked at for a renewal.
const certCheckEvery = time.Minute

// LoadTLS returns the STARTTLS configuration of a PEM certificate (chain) and key. The files
// are read again when the certificate file changes (a renewal), so that a long-running
// server never offers an expired certificate.
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	c := &certFiles{cert: certFile, key: keyFile, every: certCheckEvery}
	if err := c.load(); err != nil {
		return nil, err
	}
	return &tls.Config{GetCertificate: c.get, MinVersion: tls.VersionTLS12}, nil
}

type certFiles struct {
	cert, key string
	every     time.Duration

	mu      sync.Mutex
	current *tls.Certificate
	mod     time.Time
	checked time.Time
}

func (c *certFiles) load() error {
	st, err := os.Stat(c.cert)
	if err != nil {
		return fmt.Errorf("inbound certificate: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(c.cert, c.key)
	if err != nil {
		return fmt.Errorf("inbound certificate %s and key %s: %w (give a PEM certificate chain and its key)", c.cert, c.key, err)
	}
	c.current, c.mod, c.checked = &cert, st.ModTime(), time.Now()
	return nil
}

// get returns the certificate, read again when its file changed; a renewal that cannot be
// read (half written) keeps the one loaded before.
func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.checked) >= c.every {
		c.checked = time.Now()
		if st, err := os.Stat(c.cert); err == nil && !st.ModTime().Equal(c.mod) {
			cur, mod := c.current, c.mod
			if err := c.load(); err != nil {
				c.current, c.mod = cur, mod
			}
		}
	}
	return c.current, nil
}

package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header is the request header that carries the signature.
const Header = "Clearlist-Signature"

// ErrBadSignature is wrapped by every error Verify returns.
var ErrBadSignature = errors.New("bad webhook signature")

// Sign returns the signature header value for body sent at ts: "t=<unix seconds>,v1=<hex
// HMAC-SHA256 of "<t>.<body>" under secret>". Signing the time with the body lets a receiver
// refuse replays of old deliveries.
func Sign(secret []byte, ts time.Time, body []byte) string {
	t := strconv.FormatInt(ts.Unix(), 10)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac(secret, t, body))
}

func mac(secret []byte, t string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(t))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a signature header against body, refusing signatures older or newer than
// tolerance at now. Receivers (and clearlist's own tests) use it.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var t string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case !ok:
			return fmt.Errorf("%w: %q is not key=value", ErrBadSignature, part)
		case k == "t":
			t = v
		case k == "v1":
			b, err := hex.DecodeString(v)
			if err != nil {
				return fmt.Errorf("%w: v1 is not hex", ErrBadSignature)
			}
			sigs = append(sigs, b)
		}
	}
	sec, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: no timestamp t=", ErrBadSignature)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed %s ago, beyond the %s tolerance", ErrBadSignature, d.Round(time.Second), tolerance)
	}
	want := mac(secret, t, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return fmt.Errorf("%w: no v1 signature matches the body", ErrBadSignature)
}

// MaxAttempts is how many times a delivery is tried before it is given up.
const MaxAttempts = 16

// Backoff is the wait after the n-th failed attempt (n from 1): 15 s doubling each time,
// capped at 6 hours — about a day and a half over MaxAttempts.
func Backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := 15 * time.Second
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// Package loadgen is an open-loop HTTP load generator for clearlist's latency benchmarks:
// requests leave on a fixed schedule whether or not earlier ones have answered, and each
// latency is measured from the moment its request was due, so a stalled server shows up in
// the percentiles instead of slowing the load (no coordinated omission).
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Config describes one run. It is bounded: at most Rate×Duration requests, and the run
// ends at Duration plus Timeout whatever happens.
type Config struct {
	URLs     []string      // requests cycle through these (e.g. one per contact)
	Header   http.Header   // sent with every request (e.g. Authorization)
	Rate     int           // requests per second
	Duration time.Duration // how long to send
	Timeout  time.Duration // per request; default 2 s
	MaxOpen  int           // requests in flight at most; beyond it a request counts as dropped (default 4096)
}

// Result summarises a run; latencies in milliseconds.
type Result struct {
	Sent    int     `json:"sent"`
	OK      int     `json:"ok"`
	Errors  int     `json:"errors"`
	Dropped int     `json:"dropped"`
	P50     float64 `json:"p50_ms"`
	P90     float64 `json:"p90_ms"`
	P99     float64 `json:"p99_ms"`
	Max     float64 `json:"max_ms"`
	Seconds float64 `json:"seconds"`
}

// Run sends the load and returns the latency distribution of the answered requests.
func Run(ctx context.Context, c Config) (Result, error) {
	if len(c.URLs) == 0 || c.Rate <= 0 || c.Duration <= 0 {
		return Result{}, errors.New("loadgen: need URLs, a positive rate and a positive duration")
	}
	if c.Timeout == 0 {
		c.Timeout = 2 * time.Second
	}
	if c.MaxOpen == 0 {
		c.MaxOpen = 4096
	}
	client := &http.Client{Timeout: c.Timeout, Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: c.Timeout}).DialContext,
		MaxIdleConnsPerHost: c.MaxOpen, MaxIdleConns: c.MaxOpen, IdleConnTimeout: time.Minute,
	}}
	defer client.CloseIdleConnections()
	total := int(float64(c.Rate) * c.Duration.Seconds())
	interval := time.Second / time.Duration(c.Rate)
	lat := make([]float64, 0, total)
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		res  Result
		open = make(chan struct{}, c.MaxOpen)
	)
	start := time.Now()
	for i := 0; i < total; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return res, ctx.Err()
			}
		}
		res.Sent++
		select {
		case open <- struct{}{}:
		default:
			res.Dropped++
			continue
		}
		wg.Add(1)
		go func(url string, due time.Time) {
			defer func() { <-open; wg.Done() }()
			ok := do(ctx, client, url, c.Header)
			ms := float64(time.Since(due).Microseconds()) / 1000
			mu.Lock()
			if ok {
				res.OK++
				lat = append(lat, ms)
			} else {
				res.Errors++
			}
			mu.Unlock()
		}(c.URLs[i%len(c.URLs)], due)
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	if len(lat) > 0 {
		slices.Sort(lat)
		q := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		res.P50, res.P90, res.P99, res.Max = q(0.50), q(0.90), q(0.99), lat[len(lat)-1]
	}
	return res, nil
}

func do(ctx context.Context, client *http.Client, url string, h http.Header) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	req.Header = h.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode < 500
}

// String formats a result for people.
func (r Result) String() string {
	return fmt.Sprintf("%d sent, %d ok, %d errors, %d dropped; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
		r.Sent, r.OK, r.Errors, r.Dropped, r.P50, r.P90, r.P99, r.Max)
}

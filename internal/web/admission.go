package web

import (
	"context"
	"net/http"
	"time"
)

// defaultMaxPublicRequests is how many requests without a valid token are answered at once
// when Config leaves MaxPublicRequests 0.
const defaultMaxPublicRequests = 256

// retryAfter is what a client turned away by the cap is told to wait, in seconds.
const retryAfter = "5"

// admit caps the requests without a valid API token that are answered at once (anonymous
// visitors, public forms, made-up tokens): over Config.MaxPublicRequests they get 503 with
// Retry-After, so that strangers cannot tie up every connection and goroutine, while
// requests with a valid token always pass. It also gives every request body its read
// deadline (see limitBody). /healthz is not capped, so that a load balancer still sees the
// server during a flood.
func (s *Server) admit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The token is looked up once here and carried in the context for authenticate and
		// /metrics; the route label observe needs is not on this copy of the request but in
		// its routeSlot.
		b := s.lookupBearer(r)
		r = r.WithContext(context.WithValue(r.Context(), bearerKey{}, &b))
		authed := b.authed()
		if !b.sent {
			// A signed-in browser passes too (looked up once here for the whole request).
			r = s.withSessionLookup(r)
			authed = s.signedIn(r)
		}
		s.limitBody(w, r, authed)
		if authed || r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case s.public <- struct{}{}:
			defer func() { <-s.public }()
		default:
			w.Header().Set("Retry-After", retryAfter)
			writeProblem(w, http.StatusServiceUnavailable, "the server is answering as many requests without an API token as it is set to "+
				"(serve --max-public-requests); try again in a few seconds")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// defaultClientTimeout and defaultUploadTimeout are the body read deadlines when Config
// leaves them 0.
const (
	defaultClientTimeout = 30 * time.Second
	defaultUploadTimeout = time.Hour
)

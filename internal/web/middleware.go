package web

import (
	"context"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// unmatchedRoute labels requests that matched no route, so that scanners cannot blow up
// the metrics' cardinality with made-up paths.
const unmatchedRoute = "unmatched"

// statusWriter remembers the status code and body size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flushing).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// routeKey is the context key of the request's *routeSlot.
type routeKey struct{}

// routeSlot is where the route the mux matched is written down for observe: the middleware
// between them (admit) hands the mux a copy of the request with a new context, and the mux
// sets Pattern on that copy only.
type routeSlot struct{ pattern string }

// recordRoute writes the matched pattern into the request's routeSlot; the router puts it in
// front of every route.
func recordRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slot, ok := r.Context().Value(routeKey{}).(*routeSlot); ok {
			slot.pattern = r.Pattern
		}
		next.ServeHTTP(w, r)
	})
}

// observe logs every request and counts it in the metrics, labelled by the matched route.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		slot := &routeSlot{}
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, slot))
		defer func() {
			route := unmatchedRoute
			if slot.pattern != "" {
				route = routeLabel(slot.pattern)
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			elapsed := time.Since(start)
			s.metrics.requests.WithLabelValues(r.Method, route, strconv.Itoa(sw.status)).Inc()
			s.metrics.duration.WithLabelValues(route).Observe(elapsed.Seconds())
			s.log.InfoContext(r.Context(), "http request", "method", r.Method, "route", route, "path", r.URL.Path,
				"status", sw.status, "bytes", sw.bytes, "duration", elapsed)
		}()
		next.ServeHTTP(sw, r)
	})
}

// routeLabel drops the method from a mux pattern ("GET /api/v1/contacts/{id}").
func routeLabel(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// recoverPanics turns a panic in a handler into a logged 500 instead of a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // the handler asked net/http to abort the response
			}
			s.log.ErrorContext(r.Context(), "panic in http handler", "method", r.Method, "path", r.URL.Path,
				"panic", v, "stack", string(debug.Stack()))
			if sw.status == 0 {
				writeProblem(sw, http.StatusInternalServerError, internalMessage)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

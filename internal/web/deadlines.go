package web

import (
	"net/http"
	"time"
)

// limitBody gives the request body a read deadline: Config.UploadTimeout for a client with a
// valid token (an import upload may be large), Config.ClientTimeout for everyone else. A
// client that sends its body slower than that is disconnected, so that slow bodies cannot
// hold connections for ever. The deadline stays until the answer is written (net/http sets
// the next request's own): an anonymous request that has sent its body is also cut off, its
// context cancelled, when it runs past ClientTimeout. The request itself is left untouched
// (net/http decides from its body whether the connection can be reused).
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request, authed bool) {
	if r.Body == nil || r.Body == http.NoBody {
		return // nothing to read: the headers were bounded by ReadHeaderTimeout
	}
	d := s.cfg.ClientTimeout
	if authed {
		d = s.cfg.UploadTimeout
	}
	// A writer that is not a network connection (a handler test's recorder) has no deadline.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
}

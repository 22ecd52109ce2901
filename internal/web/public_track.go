package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/clearlist/clearlist/internal/track"
)

// Tracker is the service behind the open pixel and tracked links (track.Service).
type Tracker interface {
	Open(ctx context.Context, token string, h track.Hit) error
	Click(ctx context.Context, token string, h track.Hit) (string, error)
}

// pixel is a transparent 1×1 GIF.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// trackRoutes serves the open pixel (/o/{token}) and tracked links (/c/{token}). Both are
// GETs (a HEAD is answered too, and classified as a machine's): they write an event, no
// audit entry, since they change nothing a person or a token asked for.
func (s *Server) trackRoutes(rt *router) {
	if s.cfg.Tracker == nil {
		return
	}
	t := &trackHandlers{s: s, svc: s.cfg.Tracker, bad: newIPLimiter(s.cfg.PublicRate)}
	rt.HandleFunc("GET /o/{token}", t.open)
	rt.HandleFunc("GET /c/{token}", t.click)
}

type trackHandlers struct {
	s   *Server
	svc Tracker
	bad *ipLimiter // bad tokens per client IP: guessing costs an HMAC and a key read each
}

func (t *trackHandlers) hit(r *http.Request) track.Hit {
	return track.Hit{Method: r.Method, UserAgent: r.UserAgent(), At: time.Now()}
}

// open answers with the pixel whatever the token: a mail client shows nothing either way,
// and a stranger learns nothing about the token.
func (t *trackHandlers) open(w http.ResponseWriter, r *http.Request) {
	ip := t.s.clientIP(r)
	if !t.bad.exhausted(ip, time.Now()) {
		if err := t.svc.Open(r.Context(), r.PathValue("token"), t.hit(r)); err != nil {
			t.failed(r, ip, err)
		}
	}
	h := w.Header()
	h.Set("Content-Type", "image/gif")
	h.Set("Cache-Control", "no-store, private")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(pixel)
	}
}

// click sends the visitor on to the link's target (signed into the token, so this is no
// open redirect); the token does not leave with the Referer.
func (t *trackHandlers) click(w http.ResponseWriter, r *http.Request) {
	ip := t.s.clientIP(r)
	if t.bad.exhausted(ip, time.Now()) {
		tooMany(w)
		return
	}
	to, err := t.svc.Click(r.Context(), r.PathValue("token"), t.hit(r))
	if errors.Is(err, track.ErrInvalid) {
		t.failed(r, ip, err)
		t.s.say(w, r, http.StatusNotFound, "err.link_title", "track.link_invalid")
		return
	}
	if err != nil {
		// The click was not counted, but the person still gets where they wanted to go.
		t.s.log.ErrorContext(r.Context(), "record click", "err", err)
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store, private")
	h.Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, to, http.StatusFound)
}

func (t *trackHandlers) failed(r *http.Request, ip string, err error) {
	if errors.Is(err, track.ErrInvalid) {
		t.bad.allow(ip, time.Now())
		return
	}
	t.s.log.ErrorContext(r.Context(), "record open", "err", err) // never the token
}

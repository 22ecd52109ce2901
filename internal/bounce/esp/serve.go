package esp

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/errs"
)

// decoded is what a provider's check made of a request.
type decoded struct {
	events  []bounce.Event
	nonce   string    // the signature's nonce, taken once; "" when the provider signs none
	expires time.Time // until when the nonce is remembered
	status  string    // the answer's status when there are no events ("confirmed", "ignored")
}

// hookError is a refusal with the status and the words the caller gets.
type hookError struct {
	status int
	msg    string
}

func (e *hookError) Error() string { return e.msg }

func refuse(status int, msg string) error { return &hookError{status: status, msg: msg} }

// Bad input, a bad signature and a known refusal, in the words the caller sees.
func badRequest(msg string) error { return refuse(http.StatusBadRequest, msg) }

var errSignature = refuse(http.StatusUnauthorized, "the signature does not verify: check the key configured in clearlist (setting esp.*) and the webhook URL")

// checkers are the providers served, by the URL's {provider}.
var checkers = map[string]func(h *Handler, ctx context.Context, ws int64, r *http.Request, body []byte) (decoded, error){
	bounce.ViaSES:      (*Handler).ses,
	bounce.ViaSendGrid: (*Handler).sendGrid,
	bounce.ViaMailgun:  (*Handler).mailgun,
	bounce.ViaPostmark: (*Handler).postmark,
}

// answer is the JSON body of every response.
type answer struct {
	Status string `json:"status"`
	Events int    `json:"events"`
	Error  string `json:"error,omitempty"`
}

// ServeHTTP checks, decodes and records one webhook request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed, answer{Status: "refused", Error: "webhooks are POSTed"})
		return
	}
	provider := r.PathValue("provider")
	check, ok := checkers[provider]
	if !ok {
		reply(w, http.StatusNotFound, answer{Status: "refused", Error: "unknown provider: the URL is /hooks/{ses|sendgrid|mailgun|postmark}/{workspace}"})
		return
	}
	n, err := h.serve(w, r, provider, check)
	if err != nil {
		var he *hookError
		if !errors.As(err, &he) {
			h.warn("provider webhook failed", "provider", provider, "err", err)
			he = &hookError{status: http.StatusServiceUnavailable, msg: "the events could not be recorded now; the provider will retry"}
		}
		if he.status == http.StatusUnauthorized && provider == bounce.ViaPostmark {
			w.Header().Set("WWW-Authenticate", `Basic realm="clearlist webhooks"`)
		}
		reply(w, he.status, answer{Status: "refused", Error: he.msg})
		return
	}
	reply(w, http.StatusOK, n)
}

// serve does the work of ServeHTTP; a *hookError is the caller's fault, any other error ours.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, provider string,
	check func(*Handler, context.Context, int64, *http.Request, []byte) (decoded, error)) (answer, error) {
	ctx := r.Context()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return answer{}, refuse(http.StatusRequestEntityTooLarge, "the body is larger than 1 MB: send fewer events a request")
		}
		return answer{}, badRequest("the body could not be read")
	}
	ws, err := h.Workspace(ctx, r.PathValue("workspace"))
	if errors.Is(err, ErrNoWorkspace) || errors.Is(err, errs.ErrNotFound) {
		return answer{}, refuse(http.StatusNotFound, "no webhook at this address: check the workspace name in the URL")
	}
	if err != nil {
		return answer{}, err
	}
	d, err := check(h, ctx, ws, r, body)
	if err != nil {
		return answer{}, err
	}
	if d.nonce != "" {
		fresh, err := h.Nonces.ClaimWebhookNonce(ctx, ws, provider, d.nonce, h.now(), d.expires)
		if err != nil {
			return answer{}, err
		}
		if !fresh {
			// Already taken: a replay, or the provider's retry of a request we answered. 200
			// stops the retries; nothing is recorded twice.
			return answer{Status: "duplicate"}, nil
		}
	}
	if len(d.events) == 0 {
		return answer{Status: cmp.Or(d.status, "ignored")}, nil
	}
	for i := range d.events {
		if d.events[i].At.IsZero() {
			d.events[i].At = h.now().UTC()
		}
	}
	a := audit.ActorFrom(ctx)
	if a.Kind == audit.Unknown {
		a.Kind = audit.Public
	}
	a.Name = "webhook " + provider
	if _, err := h.Sink.Record(audit.WithActor(ctx, a), ws, d.events); err != nil {
		if d.nonce != "" {
			// Free the nonce so the provider's retry is taken, not refused as a replay.
			if rerr := h.Nonces.ReleaseWebhookNonce(context.WithoutCancel(ctx), ws, provider, d.nonce); rerr != nil {
				h.warn("release webhook nonce", "provider", provider, "err", rerr)
			}
		}
		return answer{}, err
	}
	return answer{Status: "ok", Events: len(d.events)}, nil
}

func reply(w http.ResponseWriter, status int, a answer) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(a)
}

package esp

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"github.com/clearlist/clearlist/internal/bounce/espsettings"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/bounce"
)

// The headers of SendGrid's signed event webhook.
const (
	sendGridSigHeader = "X-Twilio-Email-Event-Webhook-Signature"
	sendGridTSHeader  = "X-Twilio-Email-Event-Webhook-Timestamp"
)

// sendGrid checks the ECDSA signature SendGrid puts over timestamp+body, the timestamp's
// age, and decodes the batch of events.
func (h *Handler) sendGrid(ctx context.Context, ws int64, r *http.Request, body []byte) (decoded, error) {
	v, ok, err := h.Settings.Setting(ctx, ws, espsettings.SettingSendGridPublicKey)
	if err != nil {
		return decoded{}, err
	}
	if !ok {
		return decoded{}, refuse(http.StatusNotFound, "SendGrid is not configured for this workspace (setting esp.sendgrid.public_key)")
	}
	key, err := espsettings.ParseSendGridKey(v)
	if err != nil {
		return decoded{}, err // a stored key that no longer parses is ours to fix: 503, logged
	}
	ts := r.Header.Get(sendGridTSHeader)
	sig, err := base64.StdEncoding.DecodeString(r.Header.Get(sendGridSigHeader))
	if ts == "" || err != nil || len(sig) == 0 {
		return decoded{}, refuse(http.StatusUnauthorized, "the request is not signed: turn on the Signed Event Webhook in SendGrid's Mail Settings")
	}
	if !verifySendGrid(key, ts, body, sig) {
		return decoded{}, errSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return decoded{}, badRequest("the signed timestamp is not a number of seconds")
	}
	at := time.Unix(sec, 0)
	if err := h.fresh(at, Window); err != nil {
		return decoded{}, err
	}
	sum := sha256.Sum256(append([]byte(ts), body...))
	evs, err := decodeSendGrid(body)
	return decoded{events: evs, nonce: "sg:" + hex.EncodeToString(sum[:]), expires: at.Add(Window + clockSkew)}, err
}

// verifySendGrid checks an ASN.1 ECDSA signature over SHA-256(timestamp || body).
func verifySendGrid(key *ecdsa.PublicKey, ts string, body, sig []byte) bool {
	d := sha256.New()
	d.Write([]byte(ts))
	d.Write(body)
	return ecdsa.VerifyASN1(key, d.Sum(nil), sig)
}

// sendGridEvent is one event of SendGrid's batch. Custom arguments would appear as further
// top-level keys; clearlist sets none, so none are read.
type sendGridEvent struct {
	Email     string          `json:"email"`
	Timestamp json.Number     `json:"timestamp"`
	Event     string          `json:"event"`
	EventID   string          `json:"sg_event_id"`
	SMTPID    string          `json:"smtp-id"`
	Type      string          `json:"type"`   // bounce: "bounce" or "blocked"
	Status    string          `json:"status"` // bounce: the enhanced status code
	Reason    string          `json:"reason"`
	Response  string          `json:"response"`
	Attempt   json.RawMessage `json:"attempt"`
}

// sendGridDropReasons maps why SendGrid dropped a message (it did not send it) to a reason
// and hardness: an address it suppresses after a bounce is as dead as the bounce was.
var sendGridDropReasons = map[string]struct {
	reason string
	hard   bool
}{
	"Bounced Address":        {"suppressed", true},
	"Invalid":                {"userunknown", true},
	"Spam Reporting Address": {"suppressed", false},
	"Unsubscribed Address":   {"suppressed", false},
}

// decodeSendGrid turns SendGrid's JSON array of events into events; events about opens,
// clicks and SendGrid's own unsubscribes give none.
func decodeSendGrid(body []byte) ([]bounce.Event, error) {
	var in []sendGridEvent
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	if len(in) > maxEvents {
		return nil, badRequest("too many events in one request")
	}
	var evs []bounce.Event
	for _, s := range in {
		e := bounce.Event{Via: bounce.ViaSendGrid, Address: address(s.Email), ExternalID: clip(s.EventID, maxID),
			MessageID: messageID(s.SMTPID)}
		if f, err := s.Timestamp.Float64(); err == nil {
			e.At = unixTime(f)
		}
		switch s.Event {
		case "bounce":
			e.Kind, e.Hard = bounce.KindBounced, s.Type != "blocked"
			if s.Type == "blocked" {
				e.Reason = "blocked"
			}
			e.Status, e.Diagnostic = clip(s.Status, 16), clip(s.Reason, maxDiagnostic)
		case "dropped":
			d := sendGridDropReasons[s.Reason]
			e.Kind, e.Reason, e.Hard, e.Diagnostic = bounce.KindBounced, cmp.Or(d.reason, "suppressed"), d.hard, clip(s.Reason, maxDiagnostic)
		case "deferred":
			e.Kind, e.Diagnostic = bounce.KindDeferred, clip(s.Response, maxDiagnostic)
		case "delivered":
			e.Kind, e.Diagnostic = bounce.KindDelivered, clip(s.Response, maxDiagnostic)
		case "spamreport":
			e.Kind, e.Reason, e.FeedbackType = bounce.KindComplained, "feedback", "abuse"
		default:
			continue
		}
		e.ReplyCode = replyCode(e.Diagnostic)
		if e.Address == "" || e.ExternalID == "" {
			continue // nothing to record it against, or no way to record it once
		}
		evs = append(evs, e)
	}
	return evs, nil
}

// replyCode is the SMTP reply code a diagnostic starts with ("550 5.1.1 …"), if any.
func replyCode(diag string) string {
	if len(diag) >= 3 && diag[0] >= '2' && diag[0] <= '5' && strings.Trim(diag[:3], "0123456789") == "" &&
		(len(diag) == 3 || diag[3] == ' ' || diag[3] == '-') {
		return diag[:3]
	}
	return ""
}

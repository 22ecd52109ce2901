package esp

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"github.com/clearlist/clearlist/internal/bounce/espsettings"
	"net/http"
	"strconv"
	"time"

	"github.com/clearlist/clearlist/internal/bounce"
)

// mailgunHook is Mailgun's webhook body: the signature and one event.
type mailgunHook struct {
	Signature struct {
		Timestamp string `json:"timestamp"`
		Token     string `json:"token"`
		Signature string `json:"signature"`
	} `json:"signature"`
	EventData json.RawMessage `json:"event-data"`
}

// mailgun checks HMAC-SHA256(signing key, timestamp+token), the timestamp's age and the
// token's novelty, and decodes the event.
func (h *Handler) mailgun(ctx context.Context, ws int64, r *http.Request, body []byte) (decoded, error) {
	key, ok, err := h.Settings.SecretSetting(ctx, ws, espsettings.SettingMailgunKey)
	if err != nil {
		return decoded{}, err
	}
	if !ok {
		return decoded{}, refuse(http.StatusNotFound, "Mailgun is not configured for this workspace (setting esp.mailgun.signing_key)")
	}
	var m mailgunHook
	if err := decodeJSON(body, &m); err != nil {
		return decoded{}, err
	}
	s := m.Signature
	if s.Timestamp == "" || s.Token == "" || s.Signature == "" || len(s.Token) > maxID {
		return decoded{}, refuse(http.StatusUnauthorized, "the request is not signed: Mailgun's body has a signature object")
	}
	if !verifyMailgun(key, s.Timestamp, s.Token, s.Signature) {
		return decoded{}, errSignature
	}
	sec, err := strconv.ParseInt(s.Timestamp, 10, 64)
	if err != nil {
		return decoded{}, badRequest("the signed timestamp is not a number of seconds")
	}
	at := time.Unix(sec, 0)
	if err := h.fresh(at, Window); err != nil {
		return decoded{}, err
	}
	evs, err := decodeMailgunEvent(m.EventData)
	return decoded{events: evs, nonce: "mg:" + s.Token, expires: at.Add(Window + clockSkew)}, err
}

// verifyMailgun compares the hex HMAC in constant time.
func verifyMailgun(key, ts, token, sig string) bool {
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(ts))
	mac.Write([]byte(token))
	return hmac.Equal(got, mac.Sum(nil))
}

// mailgunEvent is the event-data of a webhook.
type mailgunEvent struct {
	Event          string  `json:"event"`
	ID             string  `json:"id"`
	Timestamp      float64 `json:"timestamp"`
	Severity       string  `json:"severity"` // failed: permanent or temporary
	Reason         string  `json:"reason"`
	Recipient      string  `json:"recipient"`
	DeliveryStatus struct {
		Code         json.Number `json:"code"`
		EnhancedCode string      `json:"enhanced-code"`
		Message      string      `json:"message"`
		Description  string      `json:"description"`
		MXHost       string      `json:"mx-host"`
	} `json:"delivery-status"`
	Message struct {
		Headers struct {
			MessageID string `json:"message-id"`
		} `json:"headers"`
	} `json:"message"`
}

// mailgunReasons maps Mailgun's failure reasons that say something; "bounce" and "generic"
// do not, and the service classifies the delivery status instead.
var mailgunReasons = map[string]string{
	"suppress-bounce":      "suppressed",
	"suppress-unsubscribe": "suppressed",
	"suppress-complaint":   "suppressed",
	"old":                  "expired",
}

// decodeMailgunEvent turns Mailgun's event-data into an event; events other than failed,
// complained and delivered give none.
func decodeMailgunEvent(raw json.RawMessage) ([]bounce.Event, error) {
	if len(raw) == 0 {
		return nil, badRequest("the body has no event-data")
	}
	var m mailgunEvent
	if err := decodeJSON(raw, &m); err != nil {
		return nil, err
	}
	e := bounce.Event{Via: bounce.ViaMailgun, Address: address(m.Recipient), ExternalID: clip(m.ID, maxID),
		At: unixTime(m.Timestamp), MessageID: messageID(m.Message.Headers.MessageID)}
	ds := m.DeliveryStatus
	switch m.Event {
	case "failed":
		e.Kind, e.Hard = bounce.KindBounced, m.Severity == "permanent"
		if m.Severity == "temporary" {
			e.Kind = bounce.KindDeferred
		}
		e.Reason = mailgunReasons[m.Reason]
		e.Status, e.ReplyCode = clip(ds.EnhancedCode, 16), clip(ds.Code.String(), 3)
		if e.ReplyCode == "0" {
			e.ReplyCode = ""
		}
		e.Diagnostic = clip(cmp.Or(ds.Message, ds.Description), maxDiagnostic)
		e.RemoteMTA = clip(ds.MXHost, maxID)
	case "complained":
		e.Kind, e.Reason, e.FeedbackType = bounce.KindComplained, "feedback", "abuse"
	case "delivered":
		e.Kind, e.Diagnostic, e.RemoteMTA = bounce.KindDelivered, clip(ds.Message, maxDiagnostic), clip(ds.MXHost, maxID)
	default:
		return nil, nil
	}
	if e.Address == "" || e.ExternalID == "" {
		return nil, badRequest("the event has no recipient or no id")
	}
	return []bounce.Event{e}, nil
}

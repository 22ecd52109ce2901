package esp

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"github.com/clearlist/clearlist/internal/bounce/espsettings"
	"net/http"
	"time"

	"github.com/clearlist/clearlist/internal/bounce"
)

// postmark checks the basic-auth credentials of the webhook URL (Postmark signs nothing;
// the credentials are the check, compared in constant time) and decodes the event. Postmark
// gives no nonce: a resent event is recorded once by its ExternalID.
func (h *Handler) postmark(ctx context.Context, ws int64, r *http.Request, body []byte) (decoded, error) {
	user, okU, err := h.Settings.Setting(ctx, ws, espsettings.SettingPostmarkUser)
	if err != nil {
		return decoded{}, err
	}
	pass, okP, err := h.Settings.SecretSetting(ctx, ws, espsettings.SettingPostmarkPassword)
	if err != nil {
		return decoded{}, err
	}
	if !okU || !okP {
		return decoded{}, refuse(http.StatusNotFound, "Postmark is not configured for this workspace (settings esp.postmark.username and esp.postmark.password)")
	}
	u, p, ok := r.BasicAuth()
	if !ok {
		return decoded{}, refuse(http.StatusUnauthorized, "credentials needed: put the user name and password in the webhook URL (https://USER:PASSWORD@…)")
	}
	if !sameSecret(u, user) || !sameSecret(p, pass) {
		return decoded{}, refuse(http.StatusUnauthorized, "wrong user name or password: they must be the ones set in clearlist (esp.postmark.*)")
	}
	evs, err := decodePostmark(body)
	return decoded{events: evs}, err
}

// sameSecret compares in constant time, whatever the lengths (hashes first).
func sameSecret(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// postmarkEvent is a Postmark webhook body (bounce, spam complaint or delivery).
type postmarkEvent struct {
	RecordType  string
	ID          json.Number
	Type        string
	MessageID   string
	Email       string
	Recipient   string
	Description string
	Details     string
	BouncedAt   string
	DeliveredAt string
}

// postmarkBounces maps Postmark's bounce types: the event's kind, reason and hardness. Types
// that are not a delivery outcome (auto-replies, subscribe requests, …) are absent and give
// no event.
var postmarkBounces = map[string]struct {
	kind, reason string
	hard         bool
}{
	"HardBounce":        {bounce.KindBounced, "", true},
	"BadEmailAddress":   {bounce.KindBounced, "userunknown", true},
	"AddressChange":     {bounce.KindBounced, "hasmoved", true},
	"SoftBounce":        {bounce.KindBounced, "", false},
	"Transient":         {bounce.KindDeferred, "", false},
	"DnsError":          {bounce.KindBounced, "networkerror", false},
	"Blocked":           {bounce.KindBounced, "blocked", false},
	"SpamNotification":  {bounce.KindBounced, "spamdetected", false},
	"VirusNotification": {bounce.KindBounced, "virusdetected", false},
	"DMARCPolicy":       {bounce.KindBounced, "authfailure", false},
	"Unknown":           {bounce.KindBounced, "", false},
	"SpamComplaint":     {bounce.KindComplained, "feedback", false},
}

// decodePostmark turns a Postmark webhook body into its event, if it is one we act on.
func decodePostmark(body []byte) ([]bounce.Event, error) {
	var p postmarkEvent
	if err := decodeJSON(body, &p); err != nil {
		return nil, err
	}
	// Postmark's MessageID is its own id, not our Message-ID header: it only names the event.
	e := bounce.Event{Via: bounce.ViaPostmark}
	parse := func(s string) time.Time {
		t, _ := time.Parse(time.RFC3339Nano, s)
		return t.UTC()
	}
	switch p.RecordType {
	case "Bounce", "SpamComplaint":
		if p.RecordType == "SpamComplaint" {
			p.Type = "SpamComplaint"
		}
		m, ok := postmarkBounces[p.Type]
		if !ok {
			return nil, nil
		}
		e.Kind, e.Reason, e.Hard = m.kind, m.reason, m.hard
		e.Address, e.At = address(p.Email), parse(p.BouncedAt)
		e.Diagnostic = clip(cmp.Or(p.Details, p.Description), maxDiagnostic)
		if e.Kind == bounce.KindComplained {
			e.FeedbackType, e.Diagnostic = "abuse", ""
		}
		if p.ID.String() != "" {
			e.ExternalID = "bounce/" + clip(p.ID.String(), maxID)
		}
	case "Delivery":
		e.Kind, e.Address, e.At = bounce.KindDelivered, address(p.Recipient), parse(p.DeliveredAt)
		e.Diagnostic = clip(p.Details, maxDiagnostic)
		if p.MessageID != "" {
			e.ExternalID = "delivery/" + clip(p.MessageID, maxID) + "/" + e.Address
		}
	default:
		return nil, nil // opens, clicks, subscription changes: not delivery outcomes
	}
	if e.Address == "" || e.ExternalID == "" {
		return nil, badRequest("the event has no recipient or no ID")
	}
	e.ReplyCode = replyCode(e.Diagnostic)
	return []bounce.Event{e}, nil
}

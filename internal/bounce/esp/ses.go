package esp

import (
	"cmp"
	"context"
	"github.com/clearlist/clearlist/internal/bounce/espsettings"
	"net/http"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/bounce"
)

// ses checks an SNS delivery (signature, certificate host, topic, age) and decodes the SES
// notification it carries, or confirms the subscription it asks for.
func (h *Handler) ses(ctx context.Context, ws int64, r *http.Request, body []byte) (decoded, error) {
	topic, ok, err := h.Settings.Setting(ctx, ws, espsettings.SettingSESTopicARN)
	if err != nil {
		return decoded{}, err
	}
	if !ok {
		return decoded{}, refuse(http.StatusNotFound, "Amazon SES is not configured for this workspace (setting esp.ses.topic_arn)")
	}
	var m snsMessage
	if err := decodeJSON(body, &m); err != nil {
		return decoded{}, err
	}
	// Anyone can own a validly signed SNS topic: only the configured one is taken. It is
	// checked first, as it costs nothing, while the signature may cost a certificate fetch.
	if m.TopicArn != topic {
		return decoded{}, refuse(http.StatusForbidden, "the SNS topic is not the one configured for this workspace (setting esp.ses.topic_arn)")
	}
	if err := h.verifySNS(ctx, &m); err != nil {
		return decoded{}, err
	}
	at, err := time.Parse(time.RFC3339Nano, m.Timestamp)
	if err != nil {
		return decoded{}, badRequest("the SNS Timestamp is not an RFC 3339 time")
	}
	if err := h.fresh(at, SNSWindow); err != nil {
		return decoded{}, err
	}
	d := decoded{nonce: "sns:" + clip(m.MessageId, maxID), expires: at.Add(SNSWindow + clockSkew)}
	switch m.Type {
	case "SubscriptionConfirmation":
		if err := h.confirmSNS(ctx, &m); err != nil {
			return decoded{}, err
		}
		d.status = "confirmed"
		return d, nil
	case "UnsubscribeConfirmation":
		d.status = "ignored"
		return d, nil
	}
	d.events, err = decodeSES([]byte(m.Message), at)
	return d, err
}

// fresh refuses a signed timestamp older than window or ahead of the clock.
func (h *Handler) fresh(at time.Time, window time.Duration) error {
	now := h.now()
	if at.Before(now.Add(-window)) {
		return refuse(http.StatusBadRequest, "the signed timestamp is too old (a replay, or a clock far off)")
	}
	if at.After(now.Add(clockSkew)) {
		return refuse(http.StatusBadRequest, "the signed timestamp is in the future: check the sender's clock")
	}
	return nil
}

// sesNotification is an SES bounce, complaint, delivery or delivery-delay notification (the
// notificationType of identity notifications, the eventType of configuration-set events).
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Mail             struct {
		MessageID     string `json:"messageId"` // SES's own id
		Source        string `json:"source"`
		Headers       []struct{ Name, Value string }
		CommonHeaders struct {
			MessageID string `json:"messageId"`
		} `json:"commonHeaders"`
	} `json:"mail"`
	Bounce *struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		FeedbackID        string `json:"feedbackId"`
		Timestamp         string `json:"timestamp"`
		ReportingMTA      string `json:"reportingMTA"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		FeedbackID            string `json:"feedbackId"`
		Timestamp             string `json:"timestamp"`
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
		ComplainedRecipients  []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
	Delivery *struct {
		Timestamp    string   `json:"timestamp"`
		Recipients   []string `json:"recipients"`
		SMTPResponse string   `json:"smtpResponse"`
		ReportingMTA string   `json:"reportingMTA"`
	} `json:"delivery"`
	DeliveryDelay *struct {
		Timestamp         string `json:"timestamp"`
		DelayType         string `json:"delayType"`
		ReportingMTA      string `json:"reportingMTA"`
		DelayedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"delayedRecipients"`
	} `json:"deliveryDelay"`
}

// sesBounceReasons maps SES's bounce subtypes to the reason taxonomy; General and
// Undetermined tell nothing, and the service classifies the diagnostic instead.
var sesBounceReasons = map[string]string{
	"NoEmail":                  "userunknown",
	"Suppressed":               "suppressed",
	"OnAccountSuppressionList": "suppressed",
	"MailboxFull":              "mailboxfull",
	"MessageTooLarge":          "mesgtoobig",
	"ContentRejected":          "contenterror",
	"AttachmentRejected":       "securityerror",
}

// sesDelayReasons maps SES's delay types likewise.
var sesDelayReasons = map[string]string{
	"MailboxFull":                   "mailboxfull",
	"SpamDetected":                  "spamdetected",
	"TransientCommunicationFailure": "networkerror",
	"IPFailure":                     "blocked",
	"RecipientServerError":          "systemerror",
}

// decodeSES turns an SES notification (the SNS Message) into events, one per recipient.
// Other SES event types (send, open, click, …) give none. sent is the SNS timestamp, used
// when SES's own is missing.
func decodeSES(msg []byte, sent time.Time) ([]bounce.Event, error) {
	var n sesNotification
	if err := decodeJSON(msg, &n); err != nil {
		return nil, badRequest("the SNS Message is not an SES notification")
	}
	base := bounce.Event{Via: bounce.ViaSES, MessageID: sesMessageID(&n), ReturnPath: address(n.Mail.Source)}
	at := func(ts string) time.Time {
		if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
			return t.UTC()
		}
		return sent.UTC()
	}
	var evs []bounce.Event
	add := func(e bounce.Event) bool {
		if e.Address == "" || len(evs) >= maxEvents {
			return false
		}
		evs = append(evs, e)
		return true
	}
	switch kind := n.NotificationType + n.EventType; kind {
	case "Bounce":
		b := n.Bounce
		if b == nil {
			return nil, badRequest("an SES Bounce notification without its bounce object")
		}
		for _, r := range b.BouncedRecipients {
			e := base
			e.Kind, e.Address, e.At = bounce.KindBounced, address(r.EmailAddress), at(b.Timestamp)
			e.Hard = b.BounceType == "Permanent"
			e.Reason = sesBounceReasons[b.BounceSubType]
			e.Status, e.Diagnostic = clip(r.Status, 16), clip(r.DiagnosticCode, maxDiagnostic)
			e.RemoteMTA = clip(strings.TrimPrefix(b.ReportingMTA, "dsn; "), maxID)
			e.ExternalID = "bounce/" + clip(b.FeedbackID, maxID) + "/" + e.Address
			add(e)
		}
	case "Complaint":
		c := n.Complaint
		if c == nil {
			return nil, badRequest("an SES Complaint notification without its complaint object")
		}
		for _, r := range c.ComplainedRecipients {
			e := base
			e.Kind, e.Address, e.At = bounce.KindComplained, address(r.EmailAddress), at(c.Timestamp)
			e.Reason, e.FeedbackType = "feedback", clip(cmp.Or(c.ComplaintFeedbackType, "abuse"), 32)
			e.ExternalID = "complaint/" + clip(c.FeedbackID, maxID) + "/" + e.Address
			add(e)
		}
	case "Delivery":
		d := n.Delivery
		if d == nil {
			return nil, badRequest("an SES Delivery notification without its delivery object")
		}
		for _, r := range d.Recipients {
			e := base
			e.Kind, e.Address, e.At = bounce.KindDelivered, address(r), at(d.Timestamp)
			e.Diagnostic, e.RemoteMTA = clip(d.SMTPResponse, maxDiagnostic), clip(d.ReportingMTA, maxID)
			e.ExternalID = "delivery/" + clip(n.Mail.MessageID, maxID) + "/" + e.Address
			add(e)
		}
	case "DeliveryDelay":
		d := n.DeliveryDelay
		if d == nil {
			return nil, badRequest("an SES DeliveryDelay notification without its deliveryDelay object")
		}
		for _, r := range d.DelayedRecipients {
			e := base
			e.Kind, e.Address, e.At = bounce.KindDeferred, address(r.EmailAddress), at(d.Timestamp)
			e.Reason = sesDelayReasons[d.DelayType]
			e.Status, e.Diagnostic = clip(r.Status, 16), clip(r.DiagnosticCode, maxDiagnostic)
			e.RemoteMTA = clip(d.ReportingMTA, maxID)
			e.ExternalID = "delay/" + clip(n.Mail.MessageID, maxID) + "/" + e.Address + "/" + e.At.Format(time.RFC3339Nano)
			add(e)
		}
	}
	return evs, nil
}

// sesMessageID is the Message-ID header of the message we sent (our campaign ids are in
// it), from the headers SES includes, else its common headers; not SES's own message id.
func sesMessageID(n *sesNotification) string {
	for _, h := range n.Mail.Headers {
		if strings.EqualFold(h.Name, "Message-ID") {
			return messageID(h.Value)
		}
	}
	if id := n.Mail.CommonHeaders.MessageID; strings.Contains(id, "@") {
		return messageID(id)
	}
	return ""
}

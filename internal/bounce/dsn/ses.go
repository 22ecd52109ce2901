package dsn

import (
	"encoding/json"
	"strings"
)

// Amazon SES delivers its notifications (through SNS) as an e-mail whose text is one JSON
// object; this reads that object into the same Report as a DSN.

type sesNotification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Bounce           *struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Action         string `json:"action"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
		ReportingMTA string `json:"reportingMTA"`
		RemoteMTAIP  string `json:"remoteMtaIp"`
	} `json:"bounce"`
	Complaint *struct {
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
	} `json:"complaint"`
	Delivery *struct {
		Recipients   []string `json:"recipients"`
		SMTPResponse string   `json:"smtpResponse"`
		ReportingMTA string   `json:"reportingMTA"`
		RemoteMTAIP  string   `json:"remoteMtaIp"`
	} `json:"delivery"`
	Mail struct {
		MessageID     string `json:"messageId"`
		Source        string `json:"source"`
		Destination   []string
		CommonHeaders struct {
			From      []string `json:"from"`
			To        []string `json:"to"`
			Subject   string   `json:"subject"`
			MessageID string   `json:"messageId"`
		} `json:"commonHeaders"`
		Headers []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"headers"`
	} `json:"mail"`
}

// sesJSON reads an SES notification in the report's text; false when there is none.
func (p *parser) sesJSON() bool {
	text := p.text
	if j := strings.Index(text, `"Type" : "Notification"`); j >= 0 {
		// The whole SNS envelope: the notification is its Message, a JSON string.
		if k := strings.LastIndexByte(text[:j], '{'); k >= 0 {
			var env struct{ Message string }
			err := json.NewDecoder(strings.NewReader(text[k:])).Decode(&env)
			if err != nil {
				// Long lines folded by a mail path: a line break and a space inside a string.
				err = json.NewDecoder(strings.NewReader(strings.ReplaceAll(text[k:], "\n ", ""))).Decode(&env)
			}
			if err == nil && env.Message != "" {
				text = env.Message
			}
		}
	}
	i := strings.Index(text, `{"notificationType"`)
	if i < 0 {
		i = strings.Index(text, `{"eventType"`)
	}
	if i < 0 {
		return false
	}
	// SNS folds long lines with "!\n " continuation marks in some mail paths.
	body := strings.NewReplacer("!\n ", "", "!\r\n ", "").Replace(text[i:])
	var n sesNotification
	if err := json.NewDecoder(strings.NewReader(body)).Decode(&n); err != nil {
		return false
	}
	kind := n.NotificationType
	if kind == "" {
		kind = n.EventType
	}
	o := &p.rep.Original
	o.MessageID = n.Mail.MessageID
	o.ReturnPath = firstAddress(n.Mail.Source)
	o.From = strings.Join(n.Mail.CommonHeaders.From, ", ")
	o.To = strings.Join(n.Mail.CommonHeaders.To, ", ")
	o.Subject = n.Mail.CommonHeaders.Subject
	for _, h := range n.Mail.Headers {
		switch strings.ToLower(h.Name) {
		case "feedback-id":
			o.FeedbackID = h.Value
		case "list-id":
			o.ListID = h.Value
		case "message-id":
			o.MessageID = strings.Trim(h.Value, "<> ")
		}
	}
	switch {
	case kind == "Bounce" && n.Bounce != nil:
		for _, b := range n.Bounce.BouncedRecipients {
			r := Recipient{Address: firstAddress(b.EmailAddress), Action: b.Action, Status: findStatus(b.Status),
				Diagnostic: typedValue(b.DiagnosticCode), RemoteMTA: n.Bounce.RemoteMTAIP}
			if r.Address == "" {
				continue
			}
			if r.Action == "" {
				r.Action = "failed"
			}
			if n.Bounce.BounceType == "Transient" && r.Action == "failed" {
				r.Action = "delayed"
			}
			if r.Diagnostic == "" && n.Bounce.BounceSubType == "Suppressed" {
				r.Diagnostic = "address is on the suppression list"
			}
			p.rep.Recipients = append(p.rep.Recipients, r)
		}
		p.finish()
	case kind == "Complaint" && n.Complaint != nil:
		p.rep.Kind = KindComplaint
		p.rep.FeedbackType = strings.ToLower(n.Complaint.ComplaintFeedbackType)
		for _, c := range n.Complaint.ComplainedRecipients {
			if a := firstAddress(c.EmailAddress); a != "" {
				p.rep.Recipients = append(p.rep.Recipients, Recipient{Address: a, Reason: "feedback"})
			}
		}
	case kind == "Delivery" && n.Delivery != nil:
		for _, a := range n.Delivery.Recipients {
			if a = firstAddress(a); a != "" {
				p.rep.Recipients = append(p.rep.Recipients, Recipient{Address: a, Action: "delivered",
					Status: findStatus(n.Delivery.SMTPResponse), Diagnostic: n.Delivery.SMTPResponse, RemoteMTA: n.Delivery.RemoteMTAIP})
			}
		}
		p.finish()
	default:
		return false
	}
	return true
}

package esp

import (
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/clearlist/clearlist/internal/bounce"
)

// checkEvents is what every decoder promises of whatever it is given: an error or events
// each with a kind, the provider, an address and an id, within the field bounds.
func checkEvents(t *testing.T, via string, evs []bounce.Event, err error) {
	if err != nil {
		if evs != nil {
			t.Fatalf("events and an error: %v", err)
		}
		return
	}
	if len(evs) > maxEvents {
		t.Fatalf("%d events", len(evs))
	}
	for _, e := range evs {
		switch e.Kind {
		case bounce.KindBounced, bounce.KindDeferred, bounce.KindDelivered, bounce.KindComplained:
		default:
			t.Fatalf("kind %q", e.Kind)
		}
		if e.Via != via || e.Address == "" || e.ExternalID == "" || len(e.Address) > maxAddress || len(e.Diagnostic) > maxDiagnostic {
			t.Fatalf("event %+v", e)
		}
		for _, s := range []string{e.Address, e.Diagnostic, e.Status, e.MessageID, e.ExternalID, e.RemoteMTA} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %+v", e)
			}
		}
	}
}

func FuzzSES(f *testing.F) {
	f.Add([]byte(`{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General","feedbackId":"f","bouncedRecipients":[{"emailAddress":"a@b.c","status":"5.1.1","diagnosticCode":"smtp; 550"}]},"mail":{"messageId":"m","headers":[{"name":"Message-ID","value":"<x@y>"}]}}`))
	f.Add([]byte(`{"eventType":"DeliveryDelay","deliveryDelay":{"delayType":"MailboxFull","delayedRecipients":[{"emailAddress":"a@b.c"}]},"mail":{}}`))
	f.Add([]byte(`{"notificationType":"Delivery","delivery":{"recipients":["a@b.c",""]},"mail":{"messageId":"m"}}`))
	f.Add([]byte(`{"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"a\u0000@b"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := decodeSES(b, time.Unix(1764842400, 0))
		checkEvents(t, bounce.ViaSES, evs, err)
	})
}

func FuzzSendGrid(f *testing.F) {
	f.Add([]byte(`[{"email":"a@b.c","timestamp":1764842400,"event":"bounce","type":"bounce","sg_event_id":"e","reason":"550 x","status":"5.1.1","smtp-id":"<x@y>"}]`))
	f.Add([]byte(`[{"email":"a@b.c","timestamp":1.5e9,"event":"dropped","reason":"Invalid","sg_event_id":"e"},{"event":"spamreport"}]`))
	f.Add([]byte(`[{"email":"a@b.c","timestamp":"x","event":"deferred","sg_event_id":"e","attempt":{"n":1}}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := decodeSendGrid(b)
		checkEvents(t, bounce.ViaSendGrid, evs, err)
	})
}

func FuzzMailgun(f *testing.F) {
	f.Add([]byte(`{"event":"failed","id":"i","timestamp":1764842400.2,"severity":"permanent","reason":"suppress-bounce","recipient":"a@b.c","delivery-status":{"code":550,"enhanced-code":"5.1.1","message":"m"},"message":{"headers":{"message-id":"x@y"}}}`))
	f.Add([]byte(`{"event":"complained","id":"i","recipient":"a@b.c"}`))
	f.Add([]byte(`{"event":"delivered","id":"","recipient":"a@b.c","delivery-status":{"code":"250"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := decodeMailgunEvent(json.RawMessage(b))
		checkEvents(t, bounce.ViaMailgun, evs, err)
	})
}

func FuzzPostmark(f *testing.F) {
	f.Add([]byte(`{"RecordType":"Bounce","ID":1,"Type":"HardBounce","Email":"a@b.c","Details":"550 no","BouncedAt":"2026-12-04T10:00:00Z"}`))
	f.Add([]byte(`{"RecordType":"SpamComplaint","ID":2,"Email":"a@b.c"}`))
	f.Add([]byte(`{"RecordType":"Delivery","MessageID":"m","Recipient":"a@b.c","DeliveredAt":"bad"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := decodePostmark(b)
		checkEvents(t, bounce.ViaPostmark, evs, err)
	})
}

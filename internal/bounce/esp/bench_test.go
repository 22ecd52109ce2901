package esp

import (
	"strings"
	"testing"
	"time"
)

// BenchmarkDecodeSendGrid decodes a batch of 100 SendGrid bounce events (the JSON depth
// check and the decoding; no signature).
func BenchmarkDecodeSendGrid(b *testing.B) {
	ev := `{"email":"gone@example.org","timestamp":1764842400,"smtp-id":"<c2.3.abc@example.com>","event":"bounce","type":"bounce",` +
		`"sg_event_id":"ev-b1","reason":"550 5.1.1 The email account does not exist","status":"5.1.1"}`
	body := []byte("[" + strings.TrimSuffix(strings.Repeat(ev+",", 100), ",") + "]")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if evs, err := decodeSendGrid(body); err != nil || len(evs) != 100 {
			b.Fatal(len(evs), err)
		}
	}
}

// BenchmarkDecodeSES decodes one SES bounce notification with one recipient.
func BenchmarkDecodeSES(b *testing.B) {
	msg := []byte(`{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General","feedbackId":"f",` +
		`"bouncedRecipients":[{"emailAddress":"a@example.org","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}]},` +
		`"mail":{"messageId":"m","source":"bounces+1.2.3.x@example.com","headers":[{"name":"Message-ID","value":"<x@example.com>"}]}}`)
	at := time.Now()
	for b.Loop() {
		if evs, err := decodeSES(msg, at); err != nil || len(evs) != 1 {
			b.Fatal(err)
		}
	}
}

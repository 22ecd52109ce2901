package esp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/espsettings"
)

const sendGridBatch = `[
 {"email":"gone@example.org","timestamp":1764842400,"smtp-id":"<c2.3.abc@example.com>","event":"bounce","type":"bounce",
  "sg_event_id":"ev-b1","sg_message_id":"m1.filter","reason":"550 5.1.1 The email account does not exist","status":"5.1.1"},
 {"email":"busy@example.org","timestamp":1764842401,"event":"bounce","type":"blocked","sg_event_id":"ev-b2",
  "reason":"421 try later","status":"4.0.0"},
 {"email":"dead@example.org","timestamp":1764842402,"event":"dropped","reason":"Bounced Address","sg_event_id":"ev-d1"},
 {"email":"slow@example.org","timestamp":1764842403,"event":"deferred","response":"450 mailbox busy","attempt":"2","sg_event_id":"ev-f1"},
 {"email":"ok@example.org","timestamp":1764842404,"event":"delivered","response":"250 OK","sg_event_id":"ev-ok"},
 {"email":"angry@example.org","timestamp":1764842405,"event":"spamreport","sg_event_id":"ev-s1"},
 {"email":"reader@example.org","timestamp":1764842406,"event":"open","sg_event_id":"ev-o1"}
]`

func sendGridKey(t *testing.T) (*ecdsa.PrivateKey, string) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return k, base64.StdEncoding.EncodeToString(der)
}

func sendGridSign(t *testing.T, k *ecdsa.PrivateKey, at time.Time, body string) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	d := sha256.Sum256([]byte(ts + body))
	sig, err := ecdsa.SignASN1(rand.Reader, k, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return http.Header{"X-Twilio-Email-Event-Webhook-Signature": {base64.StdEncoding.EncodeToString(sig)},
		"X-Twilio-Email-Event-Webhook-Timestamp": {ts}}
}

// TestSendGrid: a signed batch becomes one event per bounce, drop, deferral, delivery and
// spam report (opens give none); a wrong key, an altered body, no signature, an old or a
// future timestamp are refused; the same signed request again records nothing.
func TestSendGrid(t *testing.T) {
	e := newEnv(t)
	k, pub := sendGridKey(t)
	e.set(espsettings.SettingSendGridPublicKey, pub)
	code, a := e.post("sendgrid", []byte(sendGridBatch), sendGridSign(t, k, e.now, sendGridBatch))
	e.expect("signed batch", code, a, 200, "ok")
	evs := e.sink.events()
	want := []struct {
		kind, reason string
		hard         bool
	}{{bounce.KindBounced, "", true}, {bounce.KindBounced, "blocked", false}, {bounce.KindBounced, "suppressed", true},
		{bounce.KindDeferred, "", false}, {bounce.KindDelivered, "", false}, {bounce.KindComplained, "feedback", false}}
	if len(evs) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(evs), len(want), evs)
	}
	for i, w := range want {
		if evs[i].Kind != w.kind || evs[i].Reason != w.reason || evs[i].Hard != w.hard || evs[i].Via != bounce.ViaSendGrid {
			t.Errorf("event %d: %+v, want %+v", i, evs[i], w)
		}
	}
	if b := evs[0]; b.ExternalID != "ev-b1" || b.MessageID != "c2.3.abc@example.com" || b.Status != "5.1.1" || b.ReplyCode != "550" ||
		!b.At.Equal(time.Unix(1764842400, 0)) {
		t.Errorf("bounce %+v", b)
	}
	code, a = e.post("sendgrid", []byte(sendGridBatch), sendGridSign(t, k, e.now, sendGridBatch))
	e.expect("replay", code, a, 200, "duplicate")

	other, _ := sendGridKey(t)
	code, a = e.post("sendgrid", []byte(sendGridBatch), sendGridSign(t, other, e.now, sendGridBatch))
	e.expect("another key", code, a, 401, "signature")
	h := sendGridSign(t, k, e.now, sendGridBatch)
	code, a = e.post("sendgrid", []byte(sendGridBatch[:len(sendGridBatch)-2]+",{}]"), h)
	e.expect("altered body", code, a, 401, "signature")
	code, a = e.post("sendgrid", []byte(sendGridBatch), nil)
	e.expect("unsigned", code, a, 401, "Signed Event Webhook")
	code, a = e.post("sendgrid", []byte(sendGridBatch), sendGridSign(t, k, e.now.Add(-6*time.Minute), sendGridBatch))
	e.expect("old", code, a, 400, "too old")
	code, a = e.post("sendgrid", []byte(sendGridBatch), sendGridSign(t, k, e.now.Add(5*time.Minute), sendGridBatch))
	e.expect("future", code, a, 400, "future")
	if n := len(e.sink.events()); n != len(want) {
		t.Errorf("refused requests recorded events: %d in all", n)
	}
	if err := e.wss.SetSetting(t.Context(), e.ws, espsettings.SettingSendGridPublicKey, "bm90IGEga2V5"); err == nil {
		t.Error("a key that is not a public key was taken")
	}
}

func mailgunBody(key, ts, token, event string) []byte {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(ts + token))
	return fmt.Appendf(nil, `{"signature":{"timestamp":%q,"token":%q,"signature":%q},"event-data":%s}`,
		ts, token, hex.EncodeToString(mac.Sum(nil)), event)
}

const mgFailed = `{"event":"failed","id":"mg-1","timestamp":1764842400.25,"severity":"permanent","reason":"bounce",
 "recipient":"gone@example.org","delivery-status":{"code":550,"enhanced-code":"5.1.1","message":"5.1.1 no such user","mx-host":"mx.example.org"},
 "message":{"headers":{"message-id":"c2.3.abc@example.com"}}}`

// TestMailgun: a signed failure, temporary failure, complaint and delivery become events; a
// wrong key, an old or future timestamp are refused; a token seen before is a replay even
// with other event data; when recording fails the token is freed for the provider's retry.
func TestMailgun(t *testing.T) {
	e := newEnv(t)
	const key = "key-0123456789abcdef"
	e.set(espsettings.SettingMailgunKey, key)
	ts := strconv.FormatInt(e.now.Unix(), 10)
	code, a := e.post("mailgun", mailgunBody(key, ts, "tok-1", mgFailed), nil)
	e.expect("failed", code, a, 200, "ok")
	for i, ev := range []string{
		`{"event":"failed","id":"mg-2","severity":"temporary","recipient":"slow@example.org","delivery-status":{"code":452,"message":"mailbox full"}}`,
		`{"event":"complained","id":"mg-3","recipient":"angry@example.org"}`,
		`{"event":"delivered","id":"mg-4","recipient":"ok@example.org","delivery-status":{"code":250,"message":"OK"}}`,
		`{"event":"opened","id":"mg-5","recipient":"reader@example.org"}`,
	} {
		code, a = e.post("mailgun", mailgunBody(key, ts, fmt.Sprint("tok-x", i), ev), nil)
		e.expect("event "+ev, code, a, 200, "")
	}
	evs := e.sink.events()
	if len(evs) != 4 {
		t.Fatalf("got %d events, want 4: %+v", len(evs), evs)
	}
	if b := evs[0]; b.Kind != bounce.KindBounced || !b.Hard || b.Status != "5.1.1" || b.ReplyCode != "550" || b.ExternalID != "mg-1" ||
		b.MessageID != "c2.3.abc@example.com" || b.RemoteMTA != "mx.example.org" || b.Via != bounce.ViaMailgun {
		t.Errorf("failed: %+v", b)
	}
	if evs[1].Kind != bounce.KindDeferred || evs[1].Hard || evs[2].Kind != bounce.KindComplained || evs[3].Kind != bounce.KindDelivered {
		t.Errorf("events %+v", evs[1:])
	}
	code, a = e.post("mailgun", mailgunBody(key, ts, "tok-1", `{"event":"complained","id":"mg-9","recipient":"victim@example.org"}`), nil)
	e.expect("replayed token", code, a, 200, "duplicate")
	code, a = e.post("mailgun", mailgunBody("key-wrong", ts, "tok-2", mgFailed), nil)
	e.expect("wrong key", code, a, 401, "signature")
	code, a = e.post("mailgun", []byte(`{"event-data":`+mgFailed+`}`), nil)
	e.expect("unsigned", code, a, 401, "not signed")
	old := strconv.FormatInt(e.now.Add(-6*time.Minute).Unix(), 10)
	code, a = e.post("mailgun", mailgunBody(key, old, "tok-3", mgFailed), nil)
	e.expect("old", code, a, 400, "too old")
	future := strconv.FormatInt(e.now.Add(3*time.Minute).Unix(), 10)
	code, a = e.post("mailgun", mailgunBody(key, future, "tok-4", mgFailed), nil)
	e.expect("future", code, a, 400, "future")
	if n := len(e.sink.events()); n != 4 {
		t.Errorf("refused requests recorded events: %d in all", n)
	}

	e.sink.fail = true
	body := mailgunBody(key, ts, "tok-5", `{"event":"complained","id":"mg-10","recipient":"late@example.org"}`)
	code, a = e.post("mailgun", body, nil)
	e.expect("sink down", code, a, 503, "retry")
	if fmt.Sprint(a) == "" || len(fmt.Sprint(a["error"])) > 100 {
		t.Errorf("the 503 says too much: %v", a)
	}
	e.sink.fail = false
	code, a = e.post("mailgun", body, nil)
	e.expect("retry after the outage", code, a, 200, "ok")
}

// TestPostmark: with the configured credentials, bounces, a spam complaint and a delivery
// become events; without them, or with wrong ones, 401 and nothing recorded.
func TestPostmark(t *testing.T) {
	e := newEnv(t)
	e.set(espsettings.SettingPostmarkUser, "hooks")
	e.set(espsettings.SettingPostmarkPassword, "s3cret-Pass")
	auth := func(u, p string) http.Header {
		return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))}}
	}
	good := auth("hooks", "s3cret-Pass")
	bodies := []string{
		`{"RecordType":"Bounce","ID":4323372036854775807,"Type":"HardBounce","TypeCode":1,"MessageID":"883953f4-6105","Email":"gone@example.org",
		  "Description":"The server was unable to deliver your message","Details":"550 5.1.1 unknown user","BouncedAt":"2026-12-04T10:00:00.907Z"}`,
		`{"RecordType":"Bounce","ID":43,"Type":"SoftBounce","Email":"full@example.org","Details":"452 4.2.2 mailbox full"}`,
		`{"RecordType":"SpamComplaint","ID":44,"Type":"SpamComplaint","Email":"angry@example.org","BouncedAt":"2026-12-04T10:00:00Z"}`,
		`{"RecordType":"Delivery","MessageID":"88-1","Recipient":"ok@example.org","DeliveredAt":"2026-12-04T10:00:00Z","Details":"250 OK"}`,
		`{"RecordType":"Bounce","ID":45,"Type":"AutoResponder","Email":"away@example.org"}`,
		`{"RecordType":"Open","MessageID":"88-2","Recipient":"reader@example.org"}`,
	}
	for _, b := range bodies {
		code, a := e.post("postmark", []byte(b), good)
		e.expect(b, code, a, 200, "")
	}
	evs := e.sink.events()
	if len(evs) != 4 {
		t.Fatalf("got %d events, want 4: %+v", len(evs), evs)
	}
	if b := evs[0]; b.Kind != bounce.KindBounced || !b.Hard || b.ExternalID != "bounce/4323372036854775807" || b.ReplyCode != "550" ||
		b.Via != bounce.ViaPostmark || b.At.IsZero() {
		t.Errorf("hard bounce %+v", b)
	}
	if evs[1].Hard || evs[2].Kind != bounce.KindComplained || evs[3].Kind != bounce.KindDelivered || evs[3].ExternalID != "delivery/88-1/ok@example.org" {
		t.Errorf("events %+v", evs[1:])
	}
	for name, h := range map[string]http.Header{"none": nil, "wrong password": auth("hooks", "guess"), "wrong user": auth("admin", "s3cret-Pass")} {
		code, a := e.post("postmark", []byte(bodies[0]), h)
		e.expect(name, code, a, 401, "")
	}
	if n := len(e.sink.events()); n != 4 {
		t.Errorf("refused requests recorded events: %d in all", n)
	}
}

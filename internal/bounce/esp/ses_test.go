package esp_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/espsettings"
)

const (
	snsHost   = "sns.us-east-1.amazonaws.com"
	certPath  = "/SimpleNotificationService-test.pem"
	topic     = "arn:aws:sns:us-east-1:123456789012:ses-events"
	certURL   = "https://" + snsHost + certPath
	confirmAt = "/?Action=ConfirmSubscription&TopicArn=" + topic + "&Token=tok"
)

// fakeSNS is Amazon's SNS endpoint as the handler reaches it: a local TLS server with a
// certificate for sns.us-east-1.amazonaws.com, dialled for that host only, serving the
// signing certificate and counting subscription confirmations.
type fakeSNS struct {
	key       *rsa.PrivateKey
	client    *http.Client
	confirmed atomic.Int32
	certGets  atomic.Int32
}

func selfSigned(t *testing.T, key crypto.Signer, dns string) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: dns},
		DNSNames: []string{dns}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign, IsCA: true,
		BasicConstraintsValid: true, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func newFakeSNS(t *testing.T) *fakeSNS {
	f := &fakeSNS{}
	var err error
	if f.key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	signing := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: selfSigned(t, f.key, "sns.amazonaws.com")})
	tlsKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tlsDER := selfSigned(t, tlsKey, snsHost)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == certPath:
			f.certGets.Add(1)
			w.Write(signing)
		case r.URL.Query().Get("Action") == "ConfirmSubscription":
			f.confirmed.Add(1)
			fmt.Fprint(w, "<ConfirmSubscriptionResponse/>")
		default:
			http.NotFound(w, r)
		}
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{tlsDER}, PrivateKey: tlsKey}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	cert, _ := x509.ParseCertificate(tlsDER)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	addr := srv.Listener.Addr().String()
	f.client = &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots},
		DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
			if a != snsHost+":443" {
				return nil, fmt.Errorf("test network: no route to %s", a)
			}
			return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		},
	}}
	return f
}

// snsMsg is an SNS delivery as the test builds and signs it.
type snsMsg map[string]string

func (f *fakeSNS) sign(t *testing.T, m snsMsg, version string) []byte {
	t.Helper()
	m["SignatureVersion"] = version
	if _, ok := m["SigningCertURL"]; !ok {
		m["SigningCertURL"] = certURL
	}
	var names []string
	if m["Type"] == "Notification" {
		names = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	} else {
		names = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	var b strings.Builder
	for _, n := range names {
		if v, ok := m[n]; ok {
			b.WriteString(n + "\n" + v + "\n")
		}
	}
	var sig []byte
	var err error
	if version == "1" {
		d := sha1.Sum([]byte(b.String()))
		sig, err = rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA1, d[:])
	} else {
		d := sha256.Sum256([]byte(b.String()))
		sig, err = rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA256, d[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	m["Signature"] = base64.StdEncoding.EncodeToString(sig)
	out, _ := json.Marshal(m)
	return out
}

const sesBounce = `{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"NoEmail",
 "feedbackId":"0100017f-fb1","timestamp":"2026-12-04T10:00:00.000Z","reportingMTA":"dsn; a8-1.smtp-out.amazonses.com",
 "bouncedRecipients":[{"emailAddress":"gone@example.org","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"},
  {"emailAddress":"also@example.org","status":"5.1.1"}]},
 "mail":{"messageId":"0100017f-ses","source":"bounces+1.2.3.abc@mail.example.com",
  "headers":[{"name":"Message-ID","value":"<c2.3.abcdef@example.com>"}]}}`

const sesComplaint = `{"notificationType":"Complaint","complaint":{"feedbackId":"0100017f-c1","timestamp":"2026-12-04T10:00:00Z",
 "complaintFeedbackType":"abuse","complainedRecipients":[{"emailAddress":"angry@example.org"}]},
 "mail":{"messageId":"0100017f-ses2","commonHeaders":{"messageId":"<c2.4.ff@example.com>"}}}`

func (e *env) notification(msgID, message string) snsMsg {
	return snsMsg{"Type": "Notification", "MessageId": msgID, "TopicArn": topic, "Message": message,
		"Timestamp": e.now.Add(-time.Minute).Format(time.RFC3339Nano)}
}

func newSESEnv(t *testing.T) (*env, *fakeSNS) {
	e := newEnv(t)
	f := newFakeSNS(t)
	e.h.Client = f.client
	e.set(espsettings.SettingSESTopicARN, topic)
	return e, f
}

// TestSESNotifications: signed SNS notifications (both signature versions) of SES bounces
// and complaints become events; the certificate is fetched once; a replay records nothing.
func TestSESNotifications(t *testing.T) {
	e, f := newSESEnv(t)
	code, a := e.post("ses", f.sign(t, e.notification("m-1", sesBounce), "1"), nil)
	e.expect("bounce, signature v1", code, a, 200, "ok")
	code, a = e.post("ses", f.sign(t, e.notification("m-2", sesComplaint), "2"), nil)
	e.expect("complaint, signature v2", code, a, 200, "ok")
	evs := e.sink.events()
	if len(evs) != 3 {
		t.Fatalf("got %d events, want 3: %+v", len(evs), evs)
	}
	b := evs[0]
	if b.Kind != bounce.KindBounced || !b.Hard || b.Reason != "userunknown" || b.Address != "gone@example.org" ||
		b.Status != "5.1.1" || b.MessageID != "c2.3.abcdef@example.com" || b.Via != bounce.ViaSES ||
		b.ExternalID != "bounce/0100017f-fb1/gone@example.org" || b.ReturnPath != "bounces+1.2.3.abc@mail.example.com" ||
		b.RemoteMTA != "a8-1.smtp-out.amazonses.com" || !b.At.Equal(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("bounce event %+v", b)
	}
	if evs[1].ExternalID == b.ExternalID {
		t.Error("two recipients of one bounce share an ExternalID: the second would be dropped as a duplicate")
	}
	c := evs[2]
	if c.Kind != bounce.KindComplained || c.Reason != "feedback" || c.FeedbackType != "abuse" || c.MessageID != "c2.4.ff@example.com" {
		t.Errorf("complaint event %+v", c)
	}
	if n := f.certGets.Load(); n != 1 {
		t.Errorf("the signing certificate was fetched %d times, want 1 (cached)", n)
	}
	code, a = e.post("ses", f.sign(t, e.notification("m-1", sesBounce), "1"), nil)
	e.expect("replay", code, a, 200, "duplicate")
	if len(e.sink.events()) != 3 {
		t.Error("a replayed notification was recorded again")
	}
}

// TestSESRefusals: a wrong topic, a bad signature, a certificate elsewhere than Amazon's SNS
// host or over http, an old timestamp and an unconfigured workspace are refused, and
// nothing is recorded.
func TestSESRefusals(t *testing.T) {
	e, f := newSESEnv(t)
	wrongTopic := e.notification("r-1", sesBounce)
	wrongTopic["TopicArn"] = "arn:aws:sns:us-east-1:999999999999:someone-elses"
	code, a := e.post("ses", f.sign(t, wrongTopic, "2"), nil)
	e.expect("wrong topic", code, a, 403, "topic")

	tampered := f.sign(t, e.notification("r-2", sesBounce), "2")
	tampered = []byte(strings.Replace(string(tampered), "gone@example.org", "victim@example.org", 1))
	code, a = e.post("ses", tampered, nil)
	e.expect("altered message", code, a, 401, "signature")

	for _, u := range []string{
		"https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-test.pem",
		"https://evil.example/SimpleNotificationService-test.pem",
		"http://" + snsHost + certPath,
		"https://" + snsHost + "/cert.txt",
		"https://" + snsHost + ":8443" + certPath,
		"https://user@" + snsHost + certPath,
	} {
		m := e.notification("r-3", sesBounce)
		m["SigningCertURL"] = u
		code, a = e.post("ses", f.sign(t, m, "1"), nil)
		e.expect("certificate at "+u, code, a, 403, "amazonaws.com")
	}

	// A key that is not the certificate's: signed by a stranger, pointing at Amazon's cert.
	other := &fakeSNS{}
	other.key, _ = rsa.GenerateKey(rand.Reader, 2048)
	code, a = e.post("ses", other.sign(t, e.notification("r-4", sesBounce), "2"), nil)
	e.expect("stranger's key", code, a, 401, "signature")

	old := e.notification("r-5", sesBounce)
	old["Timestamp"] = e.now.Add(-2 * time.Hour).Format(time.RFC3339Nano)
	code, a = e.post("ses", f.sign(t, old, "2"), nil)
	e.expect("old timestamp", code, a, 400, "too old")

	code, a = e.post("ses", f.sign(t, e.notification("r-6", sesBounce), "3"), nil)
	e.expect("unknown signature version", code, a, 400, "SignatureVersion")

	if n := len(e.sink.events()); n != 0 {
		t.Errorf("%d events recorded from refused requests", n)
	}
	other2 := newEnv(t)
	other2.h.Client = f.client
	code, a = other2.post("ses", f.sign(t, e.notification("r-7", sesBounce), "2"), nil)
	e.expect("not configured", code, a, 404, "esp.ses.topic_arn")
}

// TestSESSubscription: a subscription confirmation for the configured topic is confirmed by
// a GET of its SubscribeURL on Amazon's host; one for another topic, or whose SubscribeURL
// points elsewhere, is not.
func TestSESSubscription(t *testing.T) {
	e, f := newSESEnv(t)
	sub := func(id, topicARN, subscribeURL string) snsMsg {
		return snsMsg{"Type": "SubscriptionConfirmation", "MessageId": id, "Token": "tok", "TopicArn": topicARN,
			"Message": "You have chosen to subscribe to the topic " + topicARN, "SubscribeURL": subscribeURL,
			"Timestamp": e.now.Format(time.RFC3339Nano)}
	}
	code, a := e.post("ses", f.sign(t, sub("s-1", "arn:aws:sns:us-east-1:999999999999:other", "https://"+snsHost+confirmAt), "1"), nil)
	e.expect("other topic", code, a, 403, "topic")
	code, a = e.post("ses", f.sign(t, sub("s-2", topic, "https://evil.example"+confirmAt), "1"), nil)
	e.expect("SubscribeURL elsewhere", code, a, 403, "amazonaws.com")
	if n := f.confirmed.Load(); n != 0 {
		t.Fatalf("confirmed %d subscriptions that should not be", n)
	}
	code, a = e.post("ses", f.sign(t, sub("s-3", topic, "https://"+snsHost+confirmAt), "2"), nil)
	e.expect("our topic", code, a, 200, "confirmed")
	if n := f.confirmed.Load(); n != 1 {
		t.Fatalf("confirmed %d times, want 1", n)
	}
}

package esp

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// snsMessage is an Amazon SNS HTTP(S) delivery: a notification or a subscription message.
type snsMessage struct {
	Type             string
	MessageId        string
	Token            string
	TopicArn         string
	Subject          *string // signed only when present
	Message          string
	Timestamp        string
	SignatureVersion string
	Signature        string
	SigningCertURL   string `json:"SigningCertURL"`
	SubscribeURL     string `json:"SubscribeURL"`
}

// snsHost is the host of every URL SNS gives: signing certificates and subscription links.
// Anything else is a forgery pointing us at a certificate its author holds the key of.
var snsHost = regexp.MustCompile(`^sns\.[a-z0-9-]{1,32}\.amazonaws\.com(\.cn)?$`)

// checkSNSURL accepts only https URLs on an SNS host, without user info or port; pem says
// the path must end in .pem (a signing certificate).
func checkSNSURL(raw string, pem bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Port() != "" || !snsHost.MatchString(u.Host) ||
		pem && !strings.HasSuffix(u.Path, ".pem") {
		return nil, refuse(http.StatusForbidden, "the SNS message's certificate or subscription URL is not an https URL of sns.REGION.amazonaws.com")
	}
	return u, nil
}

// stringToSign is SNS's canonical text of a message: the signed fields of its type, each
// name and value on a line, in this order.
func (m *snsMessage) stringToSign() (string, error) {
	var fields []string
	switch m.Type {
	case "Notification":
		fields = []string{"Message", m.Message, "MessageId", m.MessageId}
		if m.Subject != nil {
			fields = append(fields, "Subject", *m.Subject)
		}
		fields = append(fields, "Timestamp", m.Timestamp, "TopicArn", m.TopicArn, "Type", m.Type)
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		fields = []string{"Message", m.Message, "MessageId", m.MessageId, "SubscribeURL", m.SubscribeURL,
			"Timestamp", m.Timestamp, "Token", m.Token, "TopicArn", m.TopicArn, "Type", m.Type}
	default:
		return "", badRequest("not an SNS message: Type is Notification, SubscriptionConfirmation or UnsubscribeConfirmation")
	}
	return strings.Join(fields, "\n") + "\n", nil
}

// verifySNS checks the message's signature with the certificate its SigningCertURL names,
// after checking that URL is Amazon's.
func (h *Handler) verifySNS(ctx context.Context, m *snsMessage) error {
	text, err := m.stringToSign()
	if err != nil {
		return err
	}
	var hash crypto.Hash
	switch m.SignatureVersion {
	case "1":
		hash = crypto.SHA1
	case "2":
		hash = crypto.SHA256
	default:
		return badRequest("unknown SNS SignatureVersion: 1 and 2 are understood")
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return errSignature
	}
	u, err := checkSNSURL(m.SigningCertURL, true)
	if err != nil {
		return err
	}
	key, err := h.certs.get(ctx, h.client(), u)
	if err != nil {
		return err
	}
	var digest []byte
	if hash == crypto.SHA1 {
		d := sha1.Sum([]byte(text))
		digest = d[:]
	} else {
		d := sha256.Sum256([]byte(text))
		digest = d[:]
	}
	if rsa.VerifyPKCS1v15(key, hash, digest, sig) != nil {
		return errSignature
	}
	return nil
}

// certCache holds the SNS signing keys fetched, by URL. SNS uses a handful of certificates,
// so it stays small; it is bounded anyway, since only Amazon's host is ever fetched.
type certCache struct {
	mu   sync.Mutex
	keys map[string]*rsa.PublicKey
}

const maxCerts = 64

func (c *certCache) get(ctx context.Context, client *http.Client, u *url.URL) (*rsa.PublicKey, error) {
	c.mu.Lock()
	k, ok := c.keys[u.String()]
	c.mu.Unlock()
	if ok {
		return k, nil
	}
	k, err := fetchCert(ctx, client, u)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) >= maxCerts {
		c.keys = map[string]*rsa.PublicKey{}
	}
	c.keys[u.String()] = k
	return k, nil
}

// fetchCert downloads an SNS signing certificate and returns its RSA key. The certificate
// is trusted for its URL (Amazon's host, over https with the system's roots), as AWS's own
// SDKs do; a redirect elsewhere is not followed.
func fetchCert(ctx context.Context, client *http.Client, u *url.URL) (*rsa.PublicKey, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch the SNS signing certificate %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != u.String() {
		return nil, fmt.Errorf("fetch the SNS signing certificate %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("fetch the SNS signing certificate %s: %w", u, err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("the SNS signing certificate %s is not a PEM certificate", u)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the SNS signing certificate %s: %w", u, err)
	}
	k, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("the SNS signing certificate %s has no RSA key", u)
	}
	return k, nil
}

// confirmSNS follows a subscription confirmation's SubscribeURL (Amazon's host only), which
// makes SNS start delivering the topic's notifications here.
func (h *Handler) confirmSNS(ctx context.Context, m *snsMessage) error {
	u, err := checkSNSURL(m.SubscribeURL, false)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := h.client().Do(req)
	if err != nil {
		return fmt.Errorf("confirm the SNS subscription: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("confirm the SNS subscription: %s", resp.Status)
	}
	return nil
}

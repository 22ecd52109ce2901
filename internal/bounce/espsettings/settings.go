// Package espsettings declares and checks the workspace settings of the mail providers' event
// webhooks (bounce/esp). It is a leaf package, so that package workspace can register them
// without importing the webhook handlers (which import the bounce service, which imports workspace).
package espsettings

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// The workspace settings of the provider webhooks (`clearlist setting set NAME VALUE`);
// package workspace registers them.
const (
	SettingSESTopicARN       = "esp.ses.topic_arn"
	SettingSendGridPublicKey = "esp.sendgrid.public_key"
	SettingMailgunKey        = "esp.mailgun.signing_key"
	SettingPostmarkUser      = "esp.postmark.username"
	SettingPostmarkPassword  = "esp.postmark.password"
)

// Settings lists the webhook settings and what they do.
var Settings = map[string]string{
	SettingSESTopicARN:       "ARN of the SNS topic Amazon SES publishes this workspace's events to (arn:aws:sns:REGION:ACCOUNT:NAME); required for /hooks/ses/WORKSPACE",
	SettingSendGridPublicKey: "SendGrid's signed event webhook verification key (the base64 text SendGrid shows); required for /hooks/sendgrid/WORKSPACE",
	SettingMailgunKey:        "Mailgun's HTTP webhook signing key (secret, stored wrapped, never shown); required for /hooks/mailgun/WORKSPACE",
	SettingPostmarkUser:      "the basic-auth user name of Postmark's webhook URL; required for /hooks/postmark/WORKSPACE",
	SettingPostmarkPassword:  "the basic-auth password of Postmark's webhook URL (secret, stored wrapped, never shown)",
}

// Secret says whether a setting is a secret: stored wrapped with the signing keys, written to
// the audit trail without its value, and never shown by `setting ls`.
func Secret(name string) bool { return name == SettingMailgunKey || name == SettingPostmarkPassword }

var topicARN = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]{1,32}:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$`)

// NormalizeSetting checks a webhook setting's value and returns the form it is stored in.
func NormalizeSetting(name, value string) (string, error) {
	v := strings.TrimSpace(value)
	switch name {
	case SettingSESTopicARN:
		if !topicARN.MatchString(v) {
			return "", fmt.Errorf("setting %s: give the SNS topic's ARN, e.g. arn:aws:sns:us-east-1:123456789012:ses-events, not %q", name, value)
		}
		return v, nil
	case SettingSendGridPublicKey:
		if _, err := ParseSendGridKey(v); err != nil {
			return "", fmt.Errorf("setting %s: %w", name, err)
		}
		return strings.Join(strings.Fields(stripPEM(v)), ""), nil
	case SettingMailgunKey, SettingPostmarkUser, SettingPostmarkPassword:
		if v == "" || len(v) > 256 || strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			return "", fmt.Errorf("setting %s: give the value as the provider shows it (1 to 256 characters, no spaces)", name)
		}
		if name == SettingPostmarkUser && strings.Contains(v, ":") {
			return "", fmt.Errorf("setting %s: a basic-auth user name cannot contain a colon", name)
		}
		return v, nil
	}
	return "", fmt.Errorf("unknown webhook setting %q", name)
}

// stripPEM drops PEM armour around a key, if any, keeping the base64 text.
func stripPEM(v string) string {
	if b, _ := pem.Decode([]byte(v)); b != nil {
		return base64.StdEncoding.EncodeToString(b.Bytes)
	}
	return v
}

// ParseSendGridKey reads SendGrid's verification key: base64 DER (SubjectPublicKeyInfo) of
// an ECDSA P-256 public key, as SendGrid's settings page shows it (PEM armour accepted).
func ParseSendGridKey(v string) (*ecdsa.PublicKey, error) {
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(stripPEM(v)), ""))
	if err != nil {
		return nil, fmt.Errorf("the verification key is not base64: copy it whole from SendGrid's Mail Settings, Event Webhook")
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("the verification key is not a public key: copy it whole from SendGrid's Mail Settings, Event Webhook")
	}
	ec, ok := k.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("the verification key is not an ECDSA P-256 key, which SendGrid uses")
	}
	return ec, nil
}

package user

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/url"
	"strings"
)

// RecoveryCodes is how many one-time recovery codes an account gets when it enables TOTP.
const RecoveryCodes = 10

// recoveryAlphabet spells the codes: lower-case base32 without padding (no 0/1/8/9, so no
// O/0 or l/1 confusion when a code is typed from paper).
var recoveryAlphabet = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// recoveryLen is the length of a code without its hyphen: 10 base32 characters, 50 random bits
// (guessing one is bounded by the login throttle).
const recoveryLen = 10

// newRecoveryCodes makes n fresh codes as the user sees them ("abcde-fghij").
func newRecoveryCodes(n int) ([]string, error) {
	out := make([]string, n)
	for i := range out {
		b := make([]byte, 7)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		c := recoveryAlphabet.EncodeToString(b)[:recoveryLen]
		out[i] = c[:5] + "-" + c[5:]
	}
	return out, nil
}

// normalRecovery is a typed code without spaces and hyphens, in lower case.
func normalRecovery(code string) string {
	return strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
}

// isRecoveryCode reports whether a typed code has the shape of a recovery code (not of a
// 6-digit TOTP code).
func isRecoveryCode(code string) bool {
	c := normalRecovery(code)
	return len(c) == recoveryLen && strings.Trim(c, "abcdefghijklmnopqrstuvwxyz234567") == ""
}

// recoveryHash is what the store keeps of an account's recovery code: bound to the account, so
// the same code of two accounts has two hashes.
func recoveryHash(userID int64, code string) []byte {
	h := sha256.Sum256([]byte("clearlist recovery\x00" + itoa(userID) + "\x00" + normalRecovery(code)))
	return h[:]
}

// EnableTOTP stores secret as the signed-in account's second factor once code shows that the
// authenticator app holds it, and returns fresh recovery codes: shown this once, stored only
// as hashes, each good for one login instead of a code. Enabling again replaces the secret
// and the codes. One transaction, audited as user.totp_enrol.
func (s *Service) EnableTOTP(ctx context.Context, email, secret, code string) ([]string, error) {
	c, err := s.account(ctx, email)
	if err != nil {
		return nil, err
	}
	if !validCode(secret, strings.TrimSpace(code), s.opt.Now()) {
		return nil, fmt.Errorf("the code does not match the key: enter the 6-digit code the authenticator app shows now")
	}
	codes, err := newRecoveryCodes(RecoveryCodes)
	if err != nil {
		return nil, err
	}
	hashes := make([][]byte, len(codes))
	for i, rc := range codes {
		hashes[i] = recoveryHash(c.ID, rc)
	}
	if err := s.st.EnableUserTOTP(ctx, c.ID, secret, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// RecoveryCodesLeft counts the account's unused recovery codes.
func (s *Service) RecoveryCodesLeft(ctx context.Context, id int64) (int, error) {
	return s.st.RecoveryCodesLeft(ctx, id)
}

// TOTPKey returns the otpauth:// URI of a TOTP secret for the account of email (to show a
// key being set up again), or an error when secret is not a base32 key.
func TOTPKey(email, secret string) (string, error) {
	if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret); err != nil || len(secret) < 16 {
		return "", fmt.Errorf("not a TOTP key")
	}
	v := url.Values{"secret": {secret}, "issuer": {totpIssuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + url.PathEscape(totpIssuer+":"+email) + "?" + v.Encode(), nil
}

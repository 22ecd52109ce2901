package user

import (
	"crypto/subtle"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpIssuer names clearlist in the authenticator app.
const totpIssuer = "clearlist"

// NewTOTP makes a fresh TOTP key (RFC 6238: SHA-1, 6 digits, 30 s) for an account; its URL
// (otpauth://…) is entered in an authenticator app, which then shows the codes to confirm with.
func NewTOTP(email string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: email, SecretSize: 20})
}

// totpOpts are RFC 6238's defaults, which every authenticator app uses.
var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// matchCode returns the 30-second step (Unix time / 30) whose TOTP code of secret is code: the
// step of now or the one before or after (clocks drift); ok is false when none matches.
func matchCode(secret, code string, now time.Time) (step int64, ok bool) {
	if secret == "" || len(code) != 6 {
		return 0, false
	}
	for _, d := range []int64{0, -1, 1} {
		at := now.Add(time.Duration(d) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(secret, at, totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at.Unix() / 30, true
		}
	}
	return 0, false
}

// validCode reports whether code is a TOTP code of secret around now.
func validCode(secret, code string, now time.Time) bool {
	_, ok := matchCode(secret, code, now)
	return ok
}

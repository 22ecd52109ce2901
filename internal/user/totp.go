package user

import (
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

// validCode reports whether code is the TOTP code of secret at now, or of the 30-second step
// before or after (clocks drift).
func validCode(secret, code string, now time.Time) bool {
	if secret == "" || len(code) != 6 {
		return false
	}
	ok, err := totp.ValidateCustom(code, secret, now, totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1})
	return err == nil && ok
}

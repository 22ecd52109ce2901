package deliver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
)

// VERPPrefix starts the local part of every VERP bounce address.
const VERPPrefix = "bounces+"

// ErrBadVERP marks a bounce address that is not one of ours or was tampered with.
var ErrBadVERP = errors.New("not a valid VERP bounce address")

// verpSigLen is the HMAC-SHA256 truncation: 10 bytes (80 bits) keeps the local part short
// (RFC 5321 allows 64 octets) and forging one still takes 2^80 tries.
const verpSigLen = 10

var verpSigEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// VERPEncode returns the local part "bounces+<ws>.<campaign>.<contact>.<sig>" that names the
// workspace, campaign and contact of a message; sig is an HMAC-SHA256 of the three under key,
// truncated, in lower-case base32 (some relays fold the case of local parts).
func VERPEncode(key []byte, ws, campaign, contact int64) string {
	b := make([]byte, 0, 64)
	b = append(b, VERPPrefix...)
	b = strconv.AppendInt(b, ws, 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, campaign, 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, contact, 10)
	b = append(b, '.')
	sig := verpSig(key, ws, campaign, contact)
	return string(b) + verpSigEncoding.EncodeToString(sig[:])
}

// VERPAddress returns the full bounce address VERPEncode(…)@domain, the message's ReturnPath.
func VERPAddress(key []byte, domain string, ws, campaign, contact int64) string {
	return VERPEncode(key, ws, campaign, contact) + "@" + domain
}

func verpSig(key []byte, ws, campaign, contact int64) [verpSigLen]byte {
	var msg [len("clearlist-verp-v1") + 3*binary.MaxVarintLen64]byte
	n := copy(msg[:], "clearlist-verp-v1")
	n += binary.PutVarint(msg[n:], ws)
	n += binary.PutVarint(msg[n:], campaign)
	n += binary.PutVarint(msg[n:], contact)
	mac := hmac.New(sha256.New, key)
	mac.Write(msg[:n])
	var out [verpSigLen]byte
	copy(out[:], mac.Sum(nil))
	return out
}

// VERPDecode reads a bounce address (with or without "@domain") made by VERPEncode and checks
// its signature in constant time. Anything else, altered or not ours, is ErrBadVERP.
func VERPDecode(key []byte, addr string) (ws, campaign, contact int64, err error) {
	local := addr
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		local = addr[:i]
	}
	if len(local) <= len(VERPPrefix) || !strings.EqualFold(local[:len(VERPPrefix)], VERPPrefix) {
		return 0, 0, 0, ErrBadVERP
	}
	parts := strings.Split(local[len(VERPPrefix):], ".")
	if len(parts) != 4 {
		return 0, 0, 0, ErrBadVERP
	}
	var ids [3]int64
	for i, p := range parts[:3] {
		if ids[i], err = parseCanonicalInt(p); err != nil {
			return 0, 0, 0, ErrBadVERP
		}
	}
	// Compare the text, not decoded bytes: base32 decoders tolerate stray trailing
	// characters, and one triple must have exactly one address.
	want := verpSig(key, ids[0], ids[1], ids[2])
	if !hmac.Equal([]byte(strings.ToLower(parts[3])), []byte(verpSigEncoding.EncodeToString(want[:]))) {
		return 0, 0, 0, ErrBadVERP
	}
	return ids[0], ids[1], ids[2], nil
}

// parseCanonicalInt accepts only the form strconv.AppendInt writes, so one id has one address.
func parseCanonicalInt(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != s {
		return 0, ErrBadVERP
	}
	return n, nil
}

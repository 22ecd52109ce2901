package preflight

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"strings"
)

// checkDKIM checks the key record a receiver fetches to verify the
// campaign's signatures: present, well-formed, strong, and the signing key.
func checkDKIM(ctx context.Context, r Resolver, id identity, s Sender) []Finding {
	f := Finding{Check: CheckDKIM}
	var ours crypto.PublicKey
	if len(s.DKIMPublicKey) > 0 {
		var err error
		if ours, err = parseOurKey(s.DKIMPublicKey); err != nil {
			f.Status, f.Message = StatusFail, "the configured DKIM public key is unusable: "+err.Error()
			f.Fix = "configure the DKIM signing key again (RSA-2048, or Ed25519 beside an RSA key)"
			return []Finding{f}
		}
	}
	if s.DKIMSelector == "" {
		f.Status = StatusFail
		f.Message = "no DKIM signing is configured; Gmail and Yahoo require DKIM for bulk mail"
		f.Fix = "create an RSA-2048 signing key with a selector, then publish:\n" + fixRecord("SELECTOR._domainkey."+id.dkim, ours)
		return []Finding{f}
	}
	name := s.DKIMSelector + "._domainkey." + id.dkim
	txts, err := lookupTXT(ctx, r, name)
	if err != nil {
		return []Finding{retry(CheckDKIM, "the DKIM key at "+name, err)}
	}
	if len(txts) == 0 {
		f.Status, f.Message = StatusFail, fmt.Sprintf("no DKIM key is published at %s, so receivers cannot verify the signatures", name)
		f.Fix = "publish:\n" + fixRecord(name, ours)
		return []Finding{f}
	}
	var problems []Finding
	if len(txts) > 1 {
		problems = append(problems, Finding{Status: StatusWarn,
			Message: fmt.Sprintf("%s has %d TXT records; receivers may pick any of them", name, len(txts)),
			Fix:     "keep only:\n" + fixRecord(name, ours)})
	}
	key, info, bad := parseKeyRecord(txts[0])
	switch {
	case bad != "":
		problems = append(problems, Finding{Status: StatusFail, Message: fmt.Sprintf("the DKIM record at %s %s", name, bad)})
	case ours != nil && !key.(interface{ Equal(crypto.PublicKey) bool }).Equal(ours):
		problems = append(problems, Finding{Status: StatusFail,
			Message: fmt.Sprintf("the DKIM key at %s is not the signing key, so every signature will fail verification", name)})
	}
	if bad == "" {
		problems = append(problems, keyStrength(key, info)...)
		if ours != nil {
			info += ", the signing key"
		}
	}
	return []Finding{merge(CheckDKIM, problems, fmt.Sprintf("%s publishes %s", name, info), fixRecord(name, ours))}
}

// merge folds a check's problems into one finding: the worst status, the
// messages joined, and fix (the record to publish) after their own fixes.
func merge(check string, problems []Finding, passMsg, fix string) Finding {
	if len(problems) == 0 {
		return Finding{Check: check, Status: StatusPass, Message: passMsg}
	}
	f := Finding{Check: check, Status: worst(problems)}
	var msgs, fixes []string
	for _, p := range problems {
		msgs = append(msgs, p.Message)
		if p.Fix != "" {
			fixes = append(fixes, p.Fix)
		}
	}
	if len(fixes) == 0 {
		fixes = append(fixes, "publish:\n"+fix)
	}
	f.Message, f.Fix = strings.Join(msgs, "; "), strings.Join(fixes, "\n")
	return f
}

// parseKeyRecord reads a DKIM key record (RFC 6376 3.6.1, RFC 8463). info
// describes the key ("an RSA-2048 key"); bad says what is wrong, if anything.
func parseKeyRecord(txt string) (key crypto.PublicKey, info, bad string) {
	ts, err := parseTags(txt)
	if err != nil {
		return nil, "", "does not parse: " + err.Error()
	}
	if v, ok := ts.get("v"); ok && (v != "DKIM1" || ts[0].name != "v") {
		return nil, "", fmt.Sprintf("has v=%s; it must start with v=DKIM1", v)
	}
	if h, ok := ts.get("h"); ok && !listHas(h, "sha256") {
		return nil, "", fmt.Sprintf("allows only h=%s; signatures use sha256", h)
	}
	if sv, ok := ts.get("s"); ok && !listHas(sv, "email") && !listHas(sv, "*") {
		return nil, "", fmt.Sprintf("has s=%s, which excludes e-mail", sv)
	}
	p, ok := ts.get("p")
	if !ok {
		return nil, "", "has no p= (the public key)"
	}
	p = strings.Join(strings.Fields(p), "")
	if p == "" {
		return nil, "", "has an empty p=, which means the key is revoked"
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return nil, "", "has a p= that is not base64: " + err.Error()
	}
	k, _ := ts.get("k")
	switch k {
	case "", "rsa":
		if key, err = parseRSA(der); err != nil {
			return nil, "", "has a p= that is not an RSA public key: " + err.Error()
		}
		info = fmt.Sprintf("an RSA-%d key", key.(*rsa.PublicKey).N.BitLen())
	case "ed25519":
		if len(der) != ed25519.PublicKeySize {
			return nil, "", fmt.Sprintf("has an Ed25519 p= of %d bytes; it must be 32", len(der))
		}
		key, info = ed25519.PublicKey(der), "an Ed25519 key"
	default:
		return nil, "", fmt.Sprintf("has k=%s; receivers know rsa and ed25519", k)
	}
	if t, _ := ts.get("t"); listHas(t, "y") {
		info += " in testing mode (t=y)"
	}
	return key, info, ""
}

// keyStrength judges the key size as Gmail and Yahoo do: RSA below 1024 bits
// fails verification, 1024 passes but 2048 is asked for; and warns about t=y,
// with which receivers may treat signed mail as unsigned.
func keyStrength(key crypto.PublicKey, info string) []Finding {
	var ps []Finding
	if k, ok := key.(*rsa.PublicKey); ok {
		switch bits := k.N.BitLen(); {
		case bits < 1024:
			ps = append(ps, Finding{Status: StatusFail, Message: fmt.Sprintf("the RSA key has %d bits; receivers reject keys under 1024 bits", bits)})
		case bits < 2048:
			ps = append(ps, Finding{Status: StatusWarn, Message: fmt.Sprintf("the RSA key has %d bits; Gmail asks for 2048", bits)})
		}
	}
	if strings.HasSuffix(info, "(t=y)") {
		ps = append(ps, Finding{Status: StatusWarn, Message: "the key is in testing mode (t=y); receivers may treat signatures as absent"})
	}
	return ps
}

// listHas reports whether a colon-separated tag value lists item.
func listHas(list, item string) bool {
	for v := range strings.SplitSeq(list, ":") {
		if strings.TrimSpace(v) == item {
			return true
		}
	}
	return false
}

package campaign

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/errs"
)

// KeyStore keeps workspace secrets (the store's signing keys, wrapped with the operator's
// key when one is given): a DKIM private key is one of them.
type KeyStore interface {
	SigningKey(ctx context.Context, ws int64, name string) ([]byte, error)
	ExistingSigningKey(ctx context.Context, ws int64, name string) ([]byte, error)
	PutSigningKey(ctx context.Context, ws int64, name string, secret []byte, action string, changes ...audit.Change) error
}

// The DKIM algorithms a workspace may hold a key of: one each, so that a message can carry
// an RSA signature and, optionally, a second Ed25519 one (RFC 8463).
const (
	DKIMRSA     = "rsa"
	DKIMEd25519 = "ed25519"
)

// DKIMKeyInfo is a stored DKIM key without its private half: where to publish its record.
type DKIMKeyInfo struct {
	Algorithm  string `json:"algorithm"`
	Domain     string `json:"domain"`
	Selector   string `json:"selector"`
	RecordName string `json:"record_name"` // selector._domainkey.domain
	Record     string `json:"record"`      // the TXT record's value
	public     []byte // PKIX DER, for the pre-flight's comparison with DNS
	key        crypto.Signer
}

// storedDKIM is a DKIM key as the secret row holds it.
type storedDKIM struct {
	Domain   string `json:"domain"`
	Selector string `json:"selector"`
	PEM      string `json:"private_key"`
}

func dkimKeyName(alg string) string { return "dkim-" + alg }

// DKIMKeys generates and reads the workspace's DKIM signing keys.
type DKIMKeys struct{ st KeyStore }

// NewDKIMKeys returns the DKIM key service over st.
func NewDKIMKeys(st KeyStore) *DKIMKeys { return &DKIMKeys{st: st} }

// Generate makes a new key (RSA-2048 or Ed25519) for domain and selector, replacing the
// workspace's key of that algorithm, and returns the record to publish. One transaction,
// audited as dkim.generate.
func (d *DKIMKeys) Generate(ctx context.Context, ws int64, domain, selector, alg string) (DKIMKeyInfo, error) {
	domain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	selector = strings.ToLower(strings.TrimSpace(selector))
	if !dnsLabels(domain) || !strings.Contains(domain, ".") {
		return DKIMKeyInfo{}, fmt.Errorf("%w: --domain %q is not a domain name", ErrInvalid, domain)
	}
	if !dnsLabels(selector) {
		return DKIMKeyInfo{}, fmt.Errorf("%w: --selector %q: use letters, digits and hyphens (e.g. cl2026)", ErrInvalid, selector)
	}
	var key crypto.Signer
	var err error
	switch alg {
	case DKIMRSA, "":
		alg = DKIMRSA
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case DKIMEd25519:
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		return DKIMKeyInfo{}, fmt.Errorf("%w: --algorithm %q: use rsa or ed25519", ErrInvalid, alg)
	}
	if err != nil {
		return DKIMKeyInfo{}, fmt.Errorf("generate the DKIM key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return DKIMKeyInfo{}, err
	}
	secret, err := json.Marshal(storedDKIM{Domain: domain, Selector: selector,
		PEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))})
	if err != nil {
		return DKIMKeyInfo{}, err
	}
	info, err := keyInfo(alg, domain, selector, key)
	if err != nil {
		return DKIMKeyInfo{}, err
	}
	err = d.st.PutSigningKey(ctx, ws, dkimKeyName(alg), secret, "dkim.generate",
		audit.Set("algorithm", alg), audit.Set("domain", domain), audit.Set("selector", selector))
	return info, err
}

// Keys returns the workspace's DKIM keys, RSA first; none is an empty list.
func (d *DKIMKeys) Keys(ctx context.Context, ws int64) ([]DKIMKeyInfo, error) {
	var out []DKIMKeyInfo
	for _, alg := range []string{DKIMRSA, DKIMEd25519} {
		raw, err := d.st.ExistingSigningKey(ctx, ws, dkimKeyName(alg))
		if errors.Is(err, errs.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("DKIM %s key: %w", alg, err)
		}
		var s storedDKIM
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("DKIM %s key: %w", alg, err)
		}
		key, err := deliver.ParsePrivateKey([]byte(s.PEM))
		if err != nil {
			return nil, fmt.Errorf("DKIM %s key: %w", alg, err)
		}
		info, err := keyInfo(alg, s.Domain, s.Selector, key)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// Signer returns the signer of the workspace's keys for the From domain, or nil when the
// workspace has none for it (a key of another domain would not align with From).
func (d *DKIMKeys) Signer(ctx context.Context, ws int64, fromDomain string) (*deliver.Signer, []DKIMKeyInfo, error) {
	keys, err := d.Keys(ctx, ws)
	if err != nil {
		return nil, nil, err
	}
	var use []DKIMKeyInfo
	var dk []deliver.DKIMKey
	for _, k := range keys {
		if aligned(k.Domain, fromDomain) {
			use = append(use, k)
			dk = append(dk, deliver.DKIMKey{Domain: k.Domain, Selector: k.Selector, Key: k.key})
		}
	}
	if len(dk) == 0 {
		return nil, nil, nil
	}
	s, err := deliver.NewSigner(dk...)
	return s, use, err
}

// aligned is DMARC's relaxed alignment, simplified: the key's domain is the From domain or
// one of its parents.
func aligned(keyDomain, from string) bool {
	keyDomain, from = strings.ToLower(keyDomain), strings.ToLower(from)
	return from == keyDomain || strings.HasSuffix(from, "."+keyDomain)
}

func keyInfo(alg, domain, selector string, key crypto.Signer) (DKIMKeyInfo, error) {
	rec, err := deliver.DKIMKey{Domain: domain, Selector: selector, Key: key}.DNSRecord()
	if err != nil {
		return DKIMKeyInfo{}, err
	}
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return DKIMKeyInfo{}, err
	}
	return DKIMKeyInfo{Algorithm: alg, Domain: domain, Selector: selector,
		RecordName: selector + "._domainkey." + domain, Record: rec, public: pub, key: key}, nil
}

func dnsLabels(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

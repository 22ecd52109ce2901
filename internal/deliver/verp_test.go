package deliver

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestVERPRoundTrip(t *testing.T) {
	key := []byte("verp-test-key")
	for _, ids := range [][3]int64{{1, 2, 3}, {0, 0, 0}, {12, 34567, 8901234}, {math.MaxInt64, math.MaxInt64, math.MaxInt64}, {-1, 5, 6}} {
		addr := VERPAddress(key, "bounces.sender.example", ids[0], ids[1], ids[2])
		ws, c, k, err := VERPDecode(key, addr)
		if err != nil || ws != ids[0] || c != ids[1] || k != ids[2] {
			t.Errorf("%v → %q → %d %d %d %v", ids, addr, ws, c, k, err)
		}
		// Relays that fold the case of local parts do not break it.
		if _, _, _, err := VERPDecode(key, strings.ToUpper(addr)); err != nil {
			t.Errorf("upper case %q: %v", addr, err)
		}
	}
	if local := VERPEncode(key, 12, 34567, 8901234); len(local) > 64 {
		t.Errorf("local part %q is over 64 octets", local)
	}
}

// TestVERPTamperRefused: any change to the ids or the signature, another key, or an address
// that is not ours is refused.
func TestVERPTamperRefused(t *testing.T) {
	key := []byte("verp-test-key")
	good := VERPAddress(key, "b.example", 12, 345, 6789)
	local := good[:strings.IndexByte(good, '@')]
	sig := local[strings.LastIndexByte(local, '.')+1:]
	flip := "a"
	if sig[0] == 'a' {
		flip = "b"
	}
	for name, addr := range map[string]string{
		"other contact":  strings.Replace(good, ".6789.", ".6788.", 1),
		"other campaign": strings.Replace(good, ".345.", ".346.", 1),
		"leading zero":   strings.Replace(good, ".345.", ".0345.", 1),
		"plus sign":      strings.Replace(good, ".345.", ".+345.", 1),
		"signature":      strings.Replace(good, "."+sig, "."+flip+sig[1:], 1),
		"short sig":      strings.Replace(good, "."+sig, "."+sig[:10], 1),
		"no prefix":      strings.TrimPrefix(good, VERPPrefix),
		"extra part":     strings.Replace(good, "@", ".1@", 1),
		"empty":          "",
		"just prefix":    VERPPrefix + "@b.example",
	} {
		if _, _, _, err := VERPDecode(key, addr); !errors.Is(err, ErrBadVERP) {
			t.Errorf("%s (%q): err = %v, want ErrBadVERP", name, addr, err)
		}
	}
	if _, _, _, err := VERPDecode([]byte("other key"), good); !errors.Is(err, ErrBadVERP) {
		t.Errorf("other key: err = %v", err)
	}
}

// FuzzVERPDecode: the decoder never panics, and whatever it accepts encodes back to the
// same address (one id triple, one address).
func FuzzVERPDecode(f *testing.F) {
	key := []byte("fuzz-key")
	f.Add(VERPAddress(key, "b.example", 1, 2, 3))
	f.Add("bounces+1.2.3.aaaaaaaaaaaaaaaa@b.example")
	f.Add("bounces+...@")
	f.Add("BOUNCES+9223372036854775807.0.-1.zzzzzzzzzzzzzzzz")
	f.Fuzz(func(t *testing.T, addr string) {
		ws, c, k, err := VERPDecode(key, addr)
		if err != nil {
			if !errors.Is(err, ErrBadVERP) {
				t.Fatalf("err = %v", err)
			}
			return
		}
		local := addr
		if i := strings.LastIndexByte(addr, '@'); i >= 0 {
			local = addr[:i]
		}
		if !strings.EqualFold(VERPEncode(key, ws, c, k), local) {
			t.Fatalf("%q decoded to %d %d %d, which encodes differently", addr, ws, c, k)
		}
	})
}

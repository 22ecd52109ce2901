package contact

import (
	"errors"
	"strings"
	"testing"
)

func TestCanonicalEmail(t *testing.T) {
	tests := []struct {
		raw, given, canonical string
		wantErr               string // substring of the error; "" means success
	}{
		{raw: "alice@example.com", given: "alice@example.com", canonical: "alice@example.com"},
		{raw: "  Alice.Smith@Example.COM\t", given: "Alice.Smith@Example.COM", canonical: "alice.smith@example.com"},
		{raw: "user+tag@sub.example.co.uk", given: "user+tag@sub.example.co.uk", canonical: "user+tag@sub.example.co.uk"},
		{raw: "info@bücher.de", given: "info@bücher.de", canonical: "info@xn--bcher-kva.de"},
		{raw: "Info@BÜCHER.de", given: "Info@BÜCHER.de", canonical: "info@xn--bcher-kva.de"},
		{raw: "info@xn--bcher-kva.de", given: "info@xn--bcher-kva.de", canonical: "info@xn--bcher-kva.de"},
		{raw: "ÉLODIE@exemple.fr", given: "ÉLODIE@exemple.fr", canonical: "élodie@exemple.fr"},
		{raw: "o'brien@example.ie", given: "o'brien@example.ie", canonical: "o'brien@example.ie"},
		{raw: "", wantErr: "empty"},
		{raw: "   ", wantErr: "empty"},
		{raw: "alice.example.com", wantErr: "no @"},
		{raw: "a@b@example.com", wantErr: "more than one @"},
		{raw: "@example.com", wantErr: "before @ is empty"},
		{raw: "alice@", wantErr: "domain after @ is empty"},
		{raw: "alice@localhost", wantErr: "no dot"},
		{raw: "alice@example..com", wantErr: "empty label"},
		{raw: "alice@example.com.", wantErr: "empty label"},
		{raw: "alice@-example.com", wantErr: "not a valid domain"},
		{raw: "alice@exa_mple.com", wantErr: "not a valid domain"},
		{raw: "alice@xn--zz.com", wantErr: "not a valid domain"},
		{raw: "alice@[192.0.2.1]", wantErr: "address literals"},
		{raw: "alice@192.0.2.1", wantErr: "IP address"},
		{raw: "alice@example.com\r\nBcc: x@example.com", wantErr: "control character"},
		{raw: "alice@example.com\r\n", wantErr: "control character"},
		{raw: "alice\n@example.com", wantErr: "control character"},
		{raw: "ali\x00ce@example.com", wantErr: "control character"},
		{raw: "alice@exa\u202emple.com", wantErr: "invisible"},
		{raw: "\u200ealice@example.com", wantErr: "invisible"},
		{raw: "ali\u200bce@example.com", wantErr: "invisible"},
		{raw: "alice smith@example.com", wantErr: "space"},
		{raw: "alice\u3000@example.com", wantErr: "space"},
		{raw: "al\xffice@example.com", wantErr: "UTF-8"},
		{raw: `"alice smith"@example.com`, wantErr: "quoted"},
		{raw: ".alice@example.com", wantErr: "dot"},
		{raw: "alice.@example.com", wantErr: "dot"},
		{raw: "al..ice@example.com", wantErr: "dot"},
		{raw: "a,b@example.com", wantErr: "not allowed"},
		{raw: "<alice@example.com>", wantErr: "not allowed"},
		{raw: strings.Repeat("a", 65) + "@example.com", wantErr: "limit is 64"},
		{raw: "a@" + strings.Repeat("abcdefghi.", 26) + "com", wantErr: "limit is 255"},
		{raw: strings.Repeat("a", 60) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + ".com", wantErr: "limit is 254"},
		{raw: "a@" + strings.Repeat("b", 64) + ".com", wantErr: "limit is 63"},
		{raw: strings.Repeat("x", 10<<10) + "@example.com", wantErr: "limit is 254"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			given, canonical, err := CanonicalEmail(tt.raw)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("CanonicalEmail(%q) = %q, want error containing %q", tt.raw, canonical, tt.wantErr)
				}
				if !errors.Is(err, ErrInvalidEmail) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("CanonicalEmail(%q) error = %v, want ErrInvalidEmail containing %q", tt.raw, err, tt.wantErr)
				}
				if len(err.Error()) > 400 {
					t.Errorf("error message is %d bytes long; it must stay short", len(err.Error()))
				}
				return
			}
			if err != nil {
				t.Fatalf("CanonicalEmail(%q) error: %v", tt.raw, err)
			}
			if given != tt.given || canonical != tt.canonical {
				t.Errorf("CanonicalEmail(%q) = %q, %q; want %q, %q", tt.raw, given, canonical, tt.given, tt.canonical)
			}
		})
	}
}

func TestCanonicalPhone(t *testing.T) {
	tests := []struct {
		raw, region, want string
		wantErr           string
	}{
		{raw: "+1 415 555 0123", want: "+14155550123"},
		{raw: "(415) 555-0123", region: "US", want: "+14155550123"},
		{raw: "415.555.0123", region: "us", want: "+14155550123"},
		{raw: "1-415-555-0123", region: "US", want: "+14155550123"},
		{raw: "+44 20 7946 0958", want: "+442079460958"},
		{raw: "020 7946 0958", region: "GB", want: "+442079460958"},
		{raw: "+44 (0)20 7946 0958", region: "DE", want: "+442079460958"},
		{raw: "0044 20 7946 0958", region: "DE", want: "+442079460958"},
		{raw: "0151 12345678", region: "DE", want: "+4915112345678"},
		{raw: "+49 151 12345678", region: "US", want: "+4915112345678"},
		{raw: "06 12 34 56 78", region: "FR", want: "+33612345678"},
		{raw: " +33 6 12 34 56 78 ", want: "+33612345678"},
		{raw: "415 555 0123", wantErr: "no country code"},
		{raw: "12", region: "US", wantErr: "not a valid number"},
		{raw: "+1 555 0123", wantErr: "not a valid number"},
		{raw: "+999 1234 5678", wantErr: "country code"},
		{raw: "not a number", region: "US", wantErr: "invalid phone number"},
		{raw: "", region: "US", wantErr: "empty"},
		{raw: "+1 415 555\n0123", wantErr: "control character"},
		{raw: strings.Repeat("1", 300), region: "US", wantErr: "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.raw+"/"+tt.region, func(t *testing.T) {
			got, err := CanonicalPhone(tt.raw, tt.region)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrInvalidPhone) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("CanonicalPhone(%q, %q) = %q, %v; want ErrInvalidPhone containing %q", tt.raw, tt.region, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CanonicalPhone(%q, %q) = %q, %v; want %q", tt.raw, tt.region, got, err, tt.want)
			}
		})
	}
}

func TestCanonicalPhoneUnknownRegion(t *testing.T) {
	_, err := CanonicalPhone("+14155550123", "XX")
	if err == nil || !strings.Contains(err.Error(), "ISO 3166") {
		t.Fatalf("error = %v, want one naming ISO 3166", err)
	}
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		in   string
		want Status
		ok   bool
	}{
		{"active", StatusActive, true},
		{" Subscribed ", StatusActive, true},
		{"UNSUBSCRIBED", StatusUnsubscribed, true},
		{"opted-out", StatusUnsubscribed, true},
		{"bounced", StatusBounced, true},
		{"Blocked", StatusBlocked, true},
		{"", "", false},
		{"maybe", "", false},
	}
	for _, tt := range tests {
		got, err := ParseStatus(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

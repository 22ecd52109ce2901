package config

import (
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/deliver"
)

func TestParseRelay(t *testing.T) {
	env := map[string]string{RelayPasswordEnv: "pw", "OTHER_PW": "other"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		in      string
		want    deliver.Relay
		wantErr string
	}{
		{in: "smtp://mail.example.com", want: deliver.Relay{Addr: "mail.example.com:587", TLS: deliver.TLSStartTLS}},
		{in: "smtps://u@mail.example.com", want: deliver.Relay{Addr: "mail.example.com:465", TLS: deliver.TLSImplicit, Username: "u", Password: "pw"}},
		{in: "smtp://u@127.0.0.1:2525?tls=none&max_conns=4&max_per_conn=500&rate=50&burst=10&name=local&auth=login&password_env=OTHER_PW",
			want: deliver.Relay{Name: "local", Addr: "127.0.0.1:2525", TLS: deliver.TLSNone, Username: "u", Password: "other", Auth: "LOGIN",
				MaxConns: 4, MaxMessagesPerConn: 500, RatePerSec: 50, Burst: 10}},
		{in: "smtp://u:secret@mail.example.com", wantErr: "not in the URL"},
		{in: "http://mail.example.com", wantErr: "scheme"},
		{in: "smtp://mail.example.com?tls=maybe", wantErr: "tls=maybe"},
		{in: "smtp://mail.example.com?rate=fast", wantErr: "rate=fast"},
		{in: "smtp://mail.example.com?speed=1", wantErr: "unknown option"},
		{in: "smtp://u@mail.example.com?password_env=NONE", wantErr: "set NONE"},
		{in: "mail.example.com", wantErr: "give a URL"},
	}
	for _, tt := range tests {
		got, err := ParseRelay(tt.in, getenv)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want one saying %q", tt.in, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("%s: the error shows the password: %v", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s:\n got %+v, %v\nwant %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestDomainLimits(t *testing.T) {
	c := Config{DomainRates: []string{"20", "Gmail.com=50", " yahoo.com = 0.5"}}
	def, per, err := c.DomainLimits()
	if err != nil {
		t.Fatal(err)
	}
	if def != (deliver.Limit{PerSecond: 20, Burst: 20}) || per["domain:gmail.com"] != (deliver.Limit{PerSecond: 50, Burst: 50}) ||
		per["domain:yahoo.com"] != (deliver.Limit{PerSecond: 0.5, Burst: 1}) {
		t.Fatalf("got %+v %+v", def, per)
	}
	for _, bad := range []string{"fast", "gmail.com=", "x=-1"} {
		if _, _, err := (&Config{DomainRates: []string{bad}}).DomainLimits(); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseRelay(f *testing.F) {
	f.Add("smtp://u@host:25?tls=none&rate=5")
	f.Add("smtps://[::1]:465?max_conns=-1")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRelay(s, func(string) string { return "pw" })
		if err == nil && r.Addr == "" {
			t.Fatalf("%q: accepted without an address", s)
		}
	})
}

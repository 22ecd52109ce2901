package config

import "testing"

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"defaults", Config{DB: "clearlist.db", Workspace: "default"}, true},
		{"postgres", Config{DB: "postgres://u@h/db", Workspace: "w", DefaultRegion: "GB"}, true},
		{"empty db", Config{DB: " ", Workspace: "default"}, false},
		{"empty workspace", Config{DB: "x.db"}, false},
		{"lower-case region", Config{DB: "x.db", Workspace: "w", DefaultRegion: "gb"}, false},
		{"long region", Config{DB: "x.db", Workspace: "w", DefaultRegion: "GBR"}, false},
	} {
		if err := tc.cfg.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

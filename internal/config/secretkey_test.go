package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/keywrap"
)

func TestWrapKey(t *testing.T) {
	t.Setenv(SecretKeyEnv, "")
	text, _ := keywrap.Generate()
	want, _ := keywrap.Parse(text)
	file := filepath.Join(t.TempDir(), "secret.key")
	if err := os.WriteFile(file, []byte(text+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	if k, err := (&Config{}).WrapKey(); k != nil || err != nil {
		t.Errorf("no key given: %v, %v", k, err)
	}
	if k, err := (&Config{SecretKeyFile: file}).WrapKey(); err != nil || k.ID() != want.ID() {
		t.Errorf("from the file: %v, %v", k, err)
	}
	t.Setenv(SecretKeyEnv, text)
	if k, err := (&Config{}).WrapKey(); err != nil || k.ID() != want.ID() {
		t.Errorf("from %s: %v, %v", SecretKeyEnv, k, err)
	}
	if _, err := (&Config{SecretKeyFile: file}).WrapKey(); err == nil || !strings.Contains(err.Error(), "one way") {
		t.Errorf("both given: %v", err)
	}
	t.Setenv(SecretKeyEnv, "hunter2")
	if _, err := (&Config{}).WrapKey(); err == nil || !strings.Contains(err.Error(), SecretKeyEnv) {
		t.Errorf("a bad key: %v", err)
	}
	t.Setenv(SecretKeyEnv, "")
	if _, err := (&Config{SecretKeyFile: file + ".missing"}).WrapKey(); err == nil || !strings.Contains(err.Error(), "--secret-key-file") {
		t.Errorf("a missing file: %v", err)
	}
}

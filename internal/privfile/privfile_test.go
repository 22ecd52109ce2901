package privfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestModesWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "a", "uploads")
	if err := MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("new folder mode %o, want 700", m)
	}
	p := filepath.Join(dir, "x.csv")
	if err := WriteFile(p, []byte("a")); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, p); m != 0o600 {
		t.Errorf("new file mode %o, want 600", m)
	}
}

func TestExistingAreNarrowed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	p := filepath.Join(dir, "old.eml")
	if err := os.WriteFile(p, []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o644)
	if err := MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	f, err := OpenFile(p, os.O_WRONLY|os.O_APPEND)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("existing folder mode %o, want 700", m)
	}
	if m := mode(t, p); m != 0o600 {
		t.Errorf("existing file mode %o, want 600", m)
	}
	if err := Narrow(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("Narrow(missing) = %v", err)
	}
}

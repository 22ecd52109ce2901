//go:build unix

package imports_test

import (
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
)

// fifo replaces the file at path by a named pipe and returns the function that feeds it:
// each call writes data, and a call with "" closes it (the end of the file). The reader
// (an import) waits for what is not written yet, so a test decides where it stands. What
// is written after the reader closed the pipe is dropped.
func fifo(t *testing.T, path string) func(data string) {
	t.Helper()
	os.Remove(path)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	var w io.WriteCloser
	return func(data string) {
		t.Helper()
		if w == nil {
			f, err := os.OpenFile(path, os.O_WRONLY, 0) // waits for the reader
			if err != nil {
				t.Fatal(err)
			}
			w = f
		}
		if data == "" {
			w.Close()
			return
		}
		if _, err := io.WriteString(w, data); err != nil && !errors.Is(err, syscall.EPIPE) { // EPIPE: the reader stopped
			t.Fatal(err)
		}
	}
}

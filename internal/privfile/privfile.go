// Package privfile creates the files and folders that hold contact data or keys (the SQLite
// database, uploads, the mail outbox, error reports, exports) readable by their owner only:
// files 0600, folders 0700, whatever the process umask.
package privfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// File and Dir are the modes of private files and folders.
const (
	File fs.FileMode = 0o600
	Dir  fs.FileMode = 0o700
)

// MkdirAll makes dir (and missing parents) for private data. A dir that already exists is
// narrowed to its owner (its group and others lose every right): call it only for folders
// clearlist owns, never for a user's working directory.
func MkdirAll(dir string) error {
	if err := os.MkdirAll(dir, Dir); err != nil {
		return err
	}
	return Narrow(dir)
}

// OpenFile opens name like os.OpenFile, creating it 0600; an existing file is narrowed to
// its owner before it is written.
func OpenFile(name string, flag int) (*os.File, error) {
	f, err := os.OpenFile(name, flag, File)
	if err != nil {
		return nil, err
	}
	if err := narrowOpen(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Create creates or truncates name for writing, readable by its owner only.
func Create(name string) (*os.File, error) {
	return OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC)
}

// WriteFile writes b to name, readable by its owner only.
func WriteFile(name string, b []byte) error {
	f, err := Create(name)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Narrow removes the group's and others' rights from an existing file or folder; a missing
// one is no error.
func Narrow(name string) error {
	fi, err := os.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(name, fi.Mode().Perm()&^0o077); err != nil {
		return fmt.Errorf("make %s private (chmod go-rwx): %w", name, err)
	}
	return nil
}

func narrowOpen(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := f.Chmod(fi.Mode().Perm() &^ 0o077); err != nil {
		return fmt.Errorf("make %s private (chmod go-rwx): %w", f.Name(), err)
	}
	return nil
}

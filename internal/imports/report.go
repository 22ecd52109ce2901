package imports

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// trimReport keeps, of the error report of an import resumed after row last, the header and
// the rows up to last: the rows after it are read again and reported by the resumed run.
func trimReport(path string, last int) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read error report: %w", err)
	}
	defer f.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("rewrite error report: %w", err)
	}
	defer os.Remove(tmp.Name())
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	w := csv.NewWriter(tmp)
	for i := 0; ; i++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			break // a line cut by the kill: everything before it is kept
		}
		if i > 0 {
			if n, err := strconv.Atoi(rec[0]); err != nil || n > last {
				continue
			}
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tmp.Close()
		return fmt.Errorf("rewrite error report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("rewrite error report: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

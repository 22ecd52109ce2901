package inbound

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FileMessage is one message read from a file: an .eml file is one, an mbox file one for
// each message in it.
type FileMessage struct {
	Name string // the file's path; for a message of an mbox, the path and "#n"
	Raw  []byte
	Err  error // the message could not be read (too large, unreadable); Raw is nil
}

// ReadFiles reads the messages of the paths in order: files (mbox when they start with a
// "From " line, else one message each) and directories (every file under them, in lexical
// order, hidden ones left out). It calls fn for each message, stopping at the first error fn
// returns; it returns an error only for a path it cannot walk.
func ReadFiles(paths []string, maxBytes int, fn func(FileMessage) error) error {
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			return readFile(path, maxBytes, fn)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func readFile(path string, maxBytes int, fn func(FileMessage) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fn(FileMessage{Name: path, Err: err})
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(5)
	if string(head) != "From " {
		raw, err := io.ReadAll(io.LimitReader(br, int64(maxBytes)+1))
		switch {
		case err != nil:
			return fn(FileMessage{Name: path, Err: err})
		case len(raw) > maxBytes:
			return fn(FileMessage{Name: path, Err: fmt.Errorf("%w (more than %d bytes)", ErrTooLarge, maxBytes)})
		}
		return fn(FileMessage{Name: path, Raw: raw})
	}
	r := NewMboxReader(br, maxBytes)
	for n := 1; ; n++ {
		raw, err := r.Next()
		if err == io.EOF {
			return nil
		}
		name := path + "#" + strconv.Itoa(n)
		if err != nil && !errors.Is(err, ErrTooLarge) {
			return fn(FileMessage{Name: name, Err: err})
		}
		if err := fn(FileMessage{Name: name, Raw: raw, Err: err}); err != nil {
			return err
		}
	}
}

package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// byteProgress shows how much of a file has been read, on a terminal only.
type byteProgress struct{ bar *progressbar.ProgressBar }

func newProgress(size int64, desc string) byteProgress {
	if size <= 0 || !term.IsTerminal(int(os.Stderr.Fd())) {
		return byteProgress{}
	}
	return byteProgress{progressbar.NewOptions64(size, progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionShowBytes(true), progressbar.OptionSetWidth(30), progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetDescription(desc))}
}

func (p byteProgress) reader(r io.Reader) io.Reader {
	if p.bar == nil {
		return r
	}
	pr := progressbar.NewReader(r, p.bar)
	return &pr
}

func (p byteProgress) done() {
	if p.bar != nil {
		p.bar.Finish()
		os.Stderr.WriteString("\n")
	}
}

func fileSize(f *os.File) int64 {
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}

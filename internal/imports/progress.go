package imports

import (
	"bytes"
	"context"
	"io"
	"os"
	"time"
)

// Progress is an import with how fast it goes and, while it runs, about how long it has left.
type Progress struct {
	Import
	Elapsed time.Duration // since the import started, to its end when it has ended
	Rate    float64       // rows per second over Elapsed
	// Estimate is about how many rows the file holds (from its size and the length of its
	// first lines), 0 when unknown: the upload is gone, or the import is not an upload.
	Estimate int64
	ETA      time.Duration // about how long is left; -1 when unknown or ended
}

// sampleBytes is how much of an upload Progress reads to learn its average line length.
const sampleBytes = 64 << 10

// Progress returns import id of the workspace with its rate and, for a running upload, an
// estimate of its rows and of the time left.
func (s *Service) Progress(ctx context.Context, ws, id int64) (Progress, error) {
	im, err := s.Get(ctx, ws, id)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Import: im, ETA: -1}
	end := time.Now()
	if im.FinishedAt != nil {
		end = *im.FinishedAt
	}
	if p.Elapsed = end.Sub(im.CreatedAt); p.Elapsed < 0 {
		p.Elapsed = 0
	}
	if secs := p.Elapsed.Seconds(); secs > 0 {
		p.Rate = float64(im.RowsDone) / secs
	}
	if im.Status != Running {
		return p, nil
	}
	if j, err := s.loadRequest(id); err == nil && j.WorkspaceID == ws {
		p.Estimate = estimateRows(j.Path)
	}
	if p.Estimate > 0 && p.Rate > 0 {
		left := max(p.Estimate-im.RowsDone, 0)
		p.ETA = time.Duration(float64(left) / p.Rate * float64(time.Second)).Round(time.Second)
	}
	return p, nil
}

// estimateRows guesses the rows of a file from its size and the average length of the lines
// of its first sampleBytes (the header line counts as a row: the estimate is rough).
func estimateRows(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return 0
	}
	buf := make([]byte, sampleBytes)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return 0
	}
	lines := int64(bytes.Count(buf[:n], []byte{'\n'}))
	if int64(n) == st.Size() { // the whole file: count, do not guess
		if n > 0 && buf[n-1] != '\n' {
			lines++
		}
		return max(lines-1, 0)
	}
	if lines == 0 {
		return 0
	}
	return max(st.Size()*lines/int64(n)-1, 1)
}

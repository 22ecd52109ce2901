package contact

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// orderWriter stands in for a store connection: it takes a random time per batch, as a
// database under load does, and records the order in which batches commit.
type orderWriter struct {
	mu        *sync.Mutex
	committed *[]int
	failAt    int // the batch whose LastRow is this fails; 0: none
}

func (w orderWriter) WriteBatch(ctx context.Context, b *Batch) (BatchResult, error) {
	time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
	if b.LastRow == w.failAt {
		return BatchResult{}, errors.New("disk full")
	}
	if err := b.Turn(ctx); err != nil {
		return BatchResult{}, err
	}
	w.mu.Lock()
	*w.committed = append(*w.committed, b.LastRow)
	w.mu.Unlock()
	return BatchResult{Inserted: len(b.Rows)}, nil
}

func csvSource(t *testing.T, n int) RowSource {
	t.Helper()
	var b strings.Builder
	b.WriteString("email\n")
	for i := range n {
		fmt.Fprintf(&b, "p%d@example.com\n", i)
	}
	src, err := NewRowSource(strings.NewReader(b.String()), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestRunCommitsInFileOrder(t *testing.T) {
	for _, failAt := range []int{0, 30} {
		var mu sync.Mutex
		var committed []int
		writers := []BatchWriter{orderWriter{&mu, &committed, failAt}, orderWriter{&mu, &committed, failAt},
			orderWriter{&mu, &committed, failAt}}
		norm, err := NewNormalizer(NormalizeOptions{Schema: &Schema{}})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := Run(context.Background(), csvSource(t, 100), norm, writers, RunOptions{BatchSize: 5})
		if failAt == 0 && (err != nil || sum.Inserted != 100) {
			t.Fatalf("Run = %+v, %v", sum, err)
		}
		if failAt != 0 && (err == nil || !strings.Contains(err.Error(), "disk full")) {
			t.Fatalf("failing writer: err = %v", err)
		}
		for i, last := range committed {
			if last != 5*(i+1) {
				t.Fatalf("failAt %d: commits %v are not a prefix of the file in order", failAt, committed)
			}
		}
		if failAt != 0 && len(committed) > 0 && committed[len(committed)-1] >= failAt {
			t.Fatalf("a batch after the failed one committed: %v", committed)
		}
	}
}

package inbound

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/clearlist/clearlist/internal/bounce"
)

// batchingSink is a recordingSink that also takes batches; batchErr, when set, fails every
// batch (nothing of it stored).
type batchingSink struct {
	*recordingSink
	batches  []int
	batchErr error
}

func (s *batchingSink) IngestBatch(ctx context.Context, raws [][]byte, via string) ([]bounce.IngestResult, error) {
	s.batches = append(s.batches, len(raws))
	if s.batchErr != nil {
		return nil, s.batchErr
	}
	out := make([]bounce.IngestResult, len(raws))
	for i, raw := range raws {
		r, err := s.IngestMessage(ctx, raw, via)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// The poller gives a round's messages as one batch and moves them to cur/ after it; a
// batch that fails is given again message by message, a bad message refused for good
// then moved to cur/ without holding up the others.
func TestMaildirPollBatches(t *testing.T) {
	msgs := map[string]string{}
	for i := range 7 {
		msgs[fmt.Sprintf("%d.x.host", i)] = fmt.Sprintf("Subject: %d\r\n\r\nbody %d\r\n", i, i)
	}
	dir := maildir(t, msgs)
	sink := &batchingSink{recordingSink: newSink()}
	m := &Maildir{Dir: dir, Sink: sink}
	if n, err := m.Poll(context.Background()); n != 7 || err != nil {
		t.Fatalf("Poll: %d, %v; want 7 stored", n, err)
	}
	if !slices.Equal(sink.batches, []int{7}) || len(sink.messages()) != 7 {
		t.Fatalf("batches %v, %d messages stored; want one batch of 7", sink.batches, len(sink.messages()))
	}
	for _, name := range names(t, dir) {
		if name[:4] != "cur/" {
			t.Errorf("%s left in new/ after its batch was stored", name)
		}
	}

	// A failing batch: one by one; the refused message goes to cur/, the others stored.
	dir = maildir(t, map[string]string{"1.a.host": dsnBody, "2.b.host": "Subject: x\r\n\r\ny\r\n"})
	sink = &batchingSink{recordingSink: newSink(), batchErr: errors.New("deadlock detected")}
	m.Dir, m.Sink = dir, sink
	if n, err := m.Poll(context.Background()); n != 2 || err != nil {
		t.Fatalf("Poll after a failed batch: %d, %v; want 2 stored one by one", n, err)
	}
	if !slices.Equal(names(t, dir), []string{"cur/1.a.host:2,S", "cur/2.b.host:2,S"}) || len(sink.messages()) != 2 {
		t.Fatalf("after the failed batch: %v, %d stored", names(t, dir), len(sink.messages()))
	}

	// A transient error one by one too: everything stays in new/ for the next round.
	dir = maildir(t, map[string]string{"1.a.host": dsnBody, "2.b.host": dsnBody})
	sink = &batchingSink{recordingSink: newSink(), batchErr: errors.New("database is locked")}
	sink.err = errors.New("database is locked")
	m.Dir, m.Sink = dir, sink
	if _, err := m.Poll(context.Background()); err == nil {
		t.Fatal("a transient error was not reported")
	}
	if g := names(t, dir); !slices.Equal(g, []string{"new/1.a.host", "new/2.b.host"}) {
		t.Fatalf("after the failed round: %v", g)
	}
}

package inbound

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/bounce"
)

// batcher is the SMTP server's group commit: the messages its sessions have read are given
// to the sink together, in ONE transaction (BatchSink, the bounce service's IngestBatch, the
// call the Maildir poller makes), and each session answers only once its message's batch is
// committed. One batch is written at a time; the messages that arrive meanwhile make the
// next one (up to Options.BatchMessages). Before a batch starts, it waits up to
// Options.BatchLinger for the messages other sessions are still reading — never when no
// other message is on its way, so a lone message is written at once. A batch the sink fails
// is given again one message at a time, so that one bad message neither rejects the others
// nor is taken in: each gets the answer it would get alone. A sink that takes no batches is
// given every message alone.
type batcher struct {
	sink Sink
	bs   BatchSink // nil: one by one
	o    Options
	base func() context.Context

	in      chan *pendingMsg // unbuffered: the senders blocked on it are the queue
	reading atomic.Int64     // sessions reading a message that is not handed over yet
	wake    chan struct{}    // a reading session handed over or gave up
	pending atomic.Int64     // bytes of the messages read or being read and not answered

	stopOnce sync.Once
	quit     chan struct{} // closed by stop: no batch starts any more
	done     chan struct{} // closed when the loop has ended
}

// pendingMsg is one message waiting for its batch; answer gets its SMTP answer (nil: 250).
type pendingMsg struct {
	raw    []byte
	log    *slog.Logger
	answer chan error
}

var (
	errShuttingDown = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2},
		Message: "Service shutting down; the message was not taken, try again later"}
	errNoRoom = &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1},
		Message: "Too many messages waiting to be stored; try again later"}
)

func newBatcher(sink Sink, o Options, base func() context.Context) *batcher {
	b := &batcher{sink: sink, o: o, base: base, in: make(chan *pendingMsg), wake: make(chan struct{}, 1),
		quit: make(chan struct{}), done: make(chan struct{})}
	b.bs, _ = sink.(BatchSink)
	return b
}

// startReading counts a session that begins to read a message: a batch about to start
// waits a little for it. Its reader reserves the bytes it reads within Options.PendingBytes.
func (b *batcher) startReading(r io.Reader) *budgetReader {
	b.reading.Add(1)
	return &budgetReader{r: r, b: b}
}

// stopReading counts the session out of the readers and wakes a lingering batch.
func (b *batcher) stopReading() {
	b.reading.Add(-1)
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// submit hands a message read by br to the batcher and waits for its answer; the session
// leaves the readers either way.
func (b *batcher) submit(raw []byte, log *slog.Logger) error {
	m := &pendingMsg{raw: raw, log: log, answer: make(chan error, 1)}
	select {
	case b.in <- m:
		b.stopReading()
	case <-b.quit:
		b.stopReading()
		return errShuttingDown
	}
	return <-m.answer // every message the loop took is answered
}

// budgetReader reads a message's data and reserves its bytes in the batcher's budget; a
// message that would go over it is refused (452: the sender retries) and its data read on
// and dropped, so that the messages held in memory stay within the budget.
type budgetReader struct {
	r io.Reader
	b *batcher
	n int64 // reserved
}

func (br *budgetReader) Read(p []byte) (int, error) {
	n, err := br.r.Read(p)
	if n > 0 {
		br.n += int64(n)
		if br.b.pending.Add(int64(n)) > br.b.o.PendingBytes {
			return n, errNoRoom
		}
	}
	return n, err
}

// reserve counts bytes read before the data (the trace headers).
func (br *budgetReader) reserve(n int) {
	br.n += int64(n)
	br.b.pending.Add(int64(n))
}

// release gives the message's bytes back to the budget once it is answered.
func (br *budgetReader) release() { br.b.pending.Add(-br.n); br.n = 0 }

// run takes batches and writes them until stop; a batch taken when stop came is answered
// 421 (the grace period is over), the one being written is finished.
func (b *batcher) run() {
	defer close(b.done)
	var carry *pendingMsg
	for {
		first := carry
		if first == nil {
			select {
			case first = <-b.in:
			case <-b.quit:
				return
			}
		}
		batch, next := b.collect(first)
		carry = next
		select {
		case <-b.quit:
			for _, m := range batch {
				m.answer <- errShuttingDown
			}
			if carry != nil {
				carry.answer <- errShuttingDown
			}
			return
		default:
		}
		b.write(batch)
	}
}

// collect makes a batch from first and what else is waiting; it lingers for messages still
// being read. A message that would take the batch over its size is given back as next.
func (b *batcher) collect(first *pendingMsg) (batch []*pendingMsg, next *pendingMsg) {
	batch = []*pendingMsg{first}
	size := int64(len(first.raw))
	add := func(m *pendingMsg) bool {
		if size+int64(len(m.raw)) > b.o.PendingBytes {
			next = m
			return false
		}
		batch, size = append(batch, m), size+int64(len(m.raw))
		return len(batch) < b.o.BatchMessages
	}
	if len(batch) >= b.o.BatchMessages {
		return batch, nil
	}
	for waiting := true; waiting; { // what is waiting already
		select {
		case m := <-b.in:
			if !add(m) {
				return batch, next
			}
		default:
			waiting = false
		}
	}
	if b.reading.Load() == 0 {
		return batch, nil
	}
	linger := time.NewTimer(b.o.BatchLinger)
	defer linger.Stop()
	for b.reading.Load() > 0 {
		select {
		case m := <-b.in:
			if !add(m) {
				return batch, next
			}
		case <-b.wake:
		case <-linger.C:
			return batch, nil
		case <-b.quit:
			return batch, nil
		}
	}
	return batch, nil
}

// write stores a batch and answers its messages: as one transaction when the sink takes
// batches, else (or when the batch fails) one message at a time.
func (b *batcher) write(batch []*pendingMsg) {
	if b.bs != nil && len(batch) > 1 {
		raws := make([][]byte, len(batch))
		for i, m := range batch {
			raws[i] = m.raw
		}
		ctx, cancel := context.WithTimeout(b.base(), b.o.IngestTimeout)
		rs, err := b.bs.IngestBatch(ctx, raws, bounce.ViaSMTP)
		cancel()
		if err == nil && len(rs) == len(batch) {
			b.o.Logger.Debug("inbound SMTP: batch stored", "messages", len(batch))
			for i, m := range batch {
				logStored(m, rs[i])
				m.answer <- nil
			}
			return
		}
		b.o.Logger.Warn("inbound SMTP: a batch was not stored; storing its messages one by one",
			"messages", len(batch), "err", err)
	}
	for _, m := range batch {
		m.answer <- b.one(m)
	}
}

// one gives one message to the sink and turns the outcome into the SMTP answer.
func (b *batcher) one(m *pendingMsg) error {
	ctx, cancel := context.WithTimeout(b.base(), b.o.IngestTimeout)
	defer cancel()
	res, err := b.sink.IngestMessage(ctx, m.raw, bounce.ViaSMTP)
	switch {
	case err == nil:
		logStored(m, res)
		return nil
	case Permanent(err):
		m.log.Warn("inbound message refused", "bytes", len(m.raw), "err", err)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: oneLine(err.Error())}
	default:
		m.log.Error("inbound message not stored; the sender will retry", "bytes", len(m.raw), "err", err)
		return errTryLater
	}
}

func logStored(m *pendingMsg, res bounce.IngestResult) {
	m.log.Info("inbound message", "bytes", len(m.raw), "stored", res.MessageID, "kind", res.Kind,
		"events", len(res.Events), "ignored", res.Ignored)
}

// stop ends the loop: no batch starts any more; the messages waiting are answered 421 and
// the batch being written is finished first.
func (b *batcher) stop() {
	b.stopOnce.Do(func() { close(b.quit) })
	<-b.done
}

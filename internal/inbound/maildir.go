package inbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/bounce"
)

// MaildirRound is how many messages one Poll takes at most, so that a round stays well
// within a job's time; the next round goes on.
const MaildirRound = 500

// MaildirBatchBytes bounds the bytes of the messages given to the sink in one batch.
const MaildirBatchBytes = 64 << 20

// Maildir polls a Maildir folder that an MTA delivers bounces, complaints and replies to.
// The messages in new/ are given to the Sink in batches (one transaction each, when the
// Sink takes batches: BatchSink) and moved to cur/ only after the Sink stored them: a
// process killed in between leaves them in new/, and they are given again (the service
// knows the same bytes). A batch the Sink fails is given again one message at a time, so
// that one bad message neither holds up the others nor is lost: a message the Sink refuses
// for good, or one over the size limit, is moved to cur/ with a log line, so that it is not
// tried for ever.
type Maildir struct {
	Dir      string
	Sink     Sink
	MaxBytes int // default DefaultMaxMessageBytes
	Log      *slog.Logger
}

// BatchSink takes in many received messages in one transaction (bounce.Service.IngestBatch):
// an error means none of them was stored.
type BatchSink interface {
	IngestBatch(ctx context.Context, raws [][]byte, via string) ([]bounce.IngestResult, error)
}

// Poll ingests up to MaildirRound messages of new/ and returns how many it stored. It stops
// at the first transient error (the message stays in new/ for the next round).
func (m *Maildir) Poll(ctx context.Context) (int, error) {
	log := m.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	entries, err := os.ReadDir(filepath.Join(m.Dir, "new"))
	if err != nil {
		return 0, fmt.Errorf("bounce maildir %s: %w (it needs new/ and cur/ folders)", m.Dir, err)
	}
	stored := 0
	var names []string
	var raws [][]byte
	size := 0
	flush := func() error {
		n, err := m.ingest(ctx, log, names, raws)
		stored += n
		names, raws, size = names[:0], raws[:0], 0
		return err
	}
	for i, e := range entries {
		if i >= MaildirRound || ctx.Err() != nil {
			break
		}
		if strings.HasPrefix(e.Name(), ".") || !e.Type().IsRegular() {
			continue
		}
		raw, err := m.read(e.Name())
		switch {
		case errors.Is(err, os.ErrNotExist):
			continue // another poller of the same folder took it
		case errors.Is(err, ErrTooLarge):
			log.Error("bounce maildir: message over the size limit, moved to cur/ unprocessed", "file", e.Name())
			if err := m.done(e.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
				return stored, err
			}
			continue
		case err != nil:
			if ferr := flush(); ferr != nil {
				return stored, ferr
			}
			return stored, err
		}
		if size+len(raw) > MaildirBatchBytes && len(raws) > 0 {
			if err := flush(); err != nil {
				return stored, err
			}
		}
		names, raws, size = append(names, e.Name()), append(raws, raw), size+len(raw)
	}
	return stored, flush()
}

// ingest gives the messages to the sink, as one batch when it takes batches, and moves the
// stored ones to cur/; a failed batch is given again message by message.
func (m *Maildir) ingest(ctx context.Context, log *slog.Logger, names []string, raws [][]byte) (int, error) {
	if len(raws) == 0 {
		return 0, nil
	}
	if bs, ok := m.Sink.(BatchSink); ok && len(raws) > 1 {
		_, err := bs.IngestBatch(ctx, raws, bounce.ViaMaildir)
		if err == nil {
			for _, name := range names {
				if err := m.done(name); err != nil && !errors.Is(err, os.ErrNotExist) {
					return 0, err
				}
			}
			return len(names), nil
		}
		log.Warn("bounce maildir: a batch was not stored; trying its messages one by one", "messages", len(raws), "err", err)
	}
	stored := 0
	for k, name := range names {
		_, err := m.Sink.IngestMessage(ctx, raws[k], bounce.ViaMaildir)
		if err != nil && !Permanent(err) {
			return stored, fmt.Errorf("bounce maildir %s: %w", name, err)
		}
		if err != nil {
			log.Error("bounce maildir: message refused, moved to cur/", "file", name, "err", err)
		} else {
			stored++
		}
		if err := m.done(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			return stored, err
		}
	}
	return stored, nil
}

func (m *Maildir) read(name string) ([]byte, error) {
	f, err := os.Open(filepath.Join(m.Dir, "new", name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	limit := m.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxMessageBytes
	}
	raw, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("bounce maildir %s: %w", name, err)
	}
	if len(raw) > limit {
		return nil, ErrTooLarge
	}
	return raw, nil
}

// done moves a message from new/ to cur/, marked seen (Maildir's ":2,S").
func (m *Maildir) done(name string) error {
	to := name
	if !strings.Contains(name, ":2,") {
		to += ":2,"
	}
	if info := to[strings.LastIndex(to, ":2,")+3:]; !slices.Contains([]byte(info), 'S') {
		to += "S"
	}
	return os.Rename(filepath.Join(m.Dir, "new", name), filepath.Join(m.Dir, "cur", to))
}

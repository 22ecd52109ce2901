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

// Maildir polls a Maildir folder that an MTA delivers bounces, complaints and replies to.
// Each message in new/ is given to the Sink and moved to cur/ only after the Sink stored
// it: a process killed in between leaves it in new/, and it is given again (the service
// knows the same bytes). A message the Sink refuses for good, or one over the size limit,
// is moved to cur/ with a log line, so that it is not tried for ever.
type Maildir struct {
	Dir      string
	Sink     Sink
	MaxBytes int // default DefaultMaxMessageBytes
	Log      *slog.Logger
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
			err = m.done(e.Name())
		case err != nil:
			return stored, err
		default:
			_, err = m.Sink.IngestMessage(ctx, raw, bounce.ViaMaildir)
			if err != nil && !Permanent(err) {
				return stored, fmt.Errorf("bounce maildir %s: %w", e.Name(), err)
			}
			if err != nil {
				log.Error("bounce maildir: message refused, moved to cur/", "file", e.Name(), "err", err)
			} else {
				stored++
			}
			err = m.done(e.Name())
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
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

package deliver

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/clearlist/clearlist/internal/privfile"
)

// Outbox is the development transport: each message is written to Dir as an .eml file
// that a mail client opens, and nothing leaves the machine.
type Outbox struct {
	Dir string
}

// Send writes the message to the outbox folder.
func (o *Outbox) Send(_ context.Context, m Message) error {
	b, err := m.Bytes()
	if err != nil {
		return err
	}
	if err := privfile.MkdirAll(o.Dir); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	_, to, _ := m.Envelope()
	name := fmt.Sprintf("%s-%s.eml", time.Now().UTC().Format("20060102T150405.000000000"), safeName(to))
	return privfile.WriteFile(filepath.Join(o.Dir, name), b)
}

func safeName(s string) string {
	out := []byte(s)
	for i, c := range out {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '@') {
			out[i] = '_'
		}
	}
	return string(out)
}

package deliver

import "context"

// SigningSender puts a DKIM signer on every message that carries none of its own before its
// transport sends it (`clearlist bench send --dkim`).
type SigningSender struct {
	Sender
	DKIM *Signer
}

// Send signs m with s.DKIM unless it has a signer, and sends it.
func (s SigningSender) Send(ctx context.Context, m Message) error {
	if m.DKIM == nil {
		m.DKIM = s.DKIM
	}
	return s.Sender.Send(ctx, m)
}

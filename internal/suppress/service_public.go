package suppress

import (
	"context"
	"errors"
	"fmt"

	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/workspace"
)

// PublicStop records a request from the public "stop contacting me" form of the workspace
// called name: the person's own e-mail address or phone number is suppressed for every channel
// and purpose at once, with the form's IP and user agent as evidence. Anything else (a
// domain above all: one visitor must not silence everyone at gmail.com) is refused with
// ErrInvalid; domain entries come only from authenticated users. An unknown
// workspace records nothing and answers like a known one, so that the form does not tell
// which workspaces exist.
func (s *Service) PublicStop(ctx context.Context, name, value, ip, userAgent string) error {
	kind := GuessKind(value)
	if kind != KindEmail && kind != KindPhone {
		return fmt.Errorf("%w: the form takes an e-mail address or a phone number with its country code", ErrInvalid)
	}
	if _, err := Canonical(kind, value, s.opts); err != nil {
		return err
	}
	if !workspace.IsValidName(name) { // answers as an unknown workspace does
		return nil
	}
	ws, err := s.st.WorkspaceID(ctx, name)
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	note := "public form; IP " + ip
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	if userAgent != "" {
		note += "; user agent " + userAgent
	}
	_, _, err = s.Suppress(ctx, ws, []Intake{{Kind: string(kind), Value: value, Reason: string(ReasonRequestWeb),
		ChannelIn: InWeb, By: "public-form", Note: note}})
	return err
}

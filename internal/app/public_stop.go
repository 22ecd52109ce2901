package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
)

// PublicStop records a request from the public "stop contacting me" form of the named
// workspace: the person's own e-mail address or phone number is suppressed for every channel
// and purpose at once, with the form's IP and user agent as evidence. Anything else (a
// domain above all: one visitor must not silence everyone at gmail.com) is refused with
// suppress.ErrInvalid; domain entries come only from authenticated users. An unknown
// workspace records nothing and answers like a known one, so that the form does not tell
// which workspaces exist.
func (a *App) PublicStop(ctx context.Context, workspace, value, ip, userAgent string) error {
	kind := GuessKind(value)
	if kind != suppress.KindEmail && kind != suppress.KindPhone {
		return fmt.Errorf("%w: the form takes an e-mail address or a phone number with its country code", suppress.ErrInvalid)
	}
	if _, err := suppress.Canonical(kind, value, a.suppressOptions()); err != nil {
		return err
	}
	if !validWorkspaceName(workspace) { // answers as an unknown workspace does
		return nil
	}
	w, err := a.Store.WorkspaceByName(ctx, workspace)
	if errors.Is(err, store.ErrNotFound) {
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
	_, _, err = a.Suppress(ctx, w.ID, []SuppressRequest{{Kind: string(kind), Value: value, Reason: string(suppress.ReasonRequestWeb),
		ChannelIn: suppress.InWeb, By: "public-form", Note: note}})
	return err
}

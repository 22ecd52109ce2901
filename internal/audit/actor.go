package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

// Kind says who made a change.
type Kind string

// The kinds of actor. Unknown is recorded when a write reached the store with no actor in
// its context: a path that forgot to say who acts (a test asserts that none does).
const (
	User    Kind = "user"
	Token   Kind = "token"
	Public  Kind = "public"
	Job     Kind = "job"
	CLI     Kind = "cli"
	System  Kind = "system"
	Unknown Kind = "unknown"
)

// Actor is who made a change, as the audit trail records it.
type Actor struct {
	Kind      Kind   `json:"kind"`
	ID        string `json:"id,omitempty"`   // token id, OS user, job id; a visitor's IP, which the store records as a keyed hash
	Name      string `json:"name,omitempty"` // token name, job kind
	Role      string `json:"role,omitempty"` // token role
	RequestID string `json:"request_id,omitempty"`
}

type actorKey struct{}

// WithActor returns a context that records actor as the author of the writes made with it.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the context's actor, or an Unknown actor when none was set.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Kind: Unknown}
}

// HasActor reports whether the context names an actor.
func HasActor(ctx context.Context) bool {
	_, ok := ctx.Value(actorKey{}).(Actor)
	return ok
}

// NewRequestID returns a random id for one request, to tie its audit entries to its log lines.
func NewRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

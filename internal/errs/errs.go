// Package errs holds the errors every layer shares: the domain services return them, the store
// produces them, and the CLI and the API turn them into an exit message or a status code.
package errs

import "errors"

// ErrNotFound is returned when the asked-for row does not exist in the workspace.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a uniqueness rule (a name already taken).
var ErrConflict = errors.New("already exists")

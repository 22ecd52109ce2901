package contact

import (
	"fmt"

	"github.com/clearlist/clearlist/internal/errs"
)

// InputError is a write the service refuses because of one field of its input. Field names
// the field as the API spells it (email, attributes.birthday, lists[0], source.source_type);
// callers prefix it with where the input came from (body., query.).
type InputError struct {
	Field string
	Msg   string // what is wrong and what to do
	Value any    // the value given, if any
	Err   error  // the cause callers may branch on (ErrStatusReason), if any
}

func (e *InputError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap returns the cause.
func (e *InputError) Unwrap() error { return e.Err }

// inputError returns an InputError for field.
func inputError(field, msg string, value any) *InputError {
	return &InputError{Field: field, Msg: msg, Value: value}
}

// DuplicateError is a write that would give a contact an e-mail address another contact of
// the workspace has already; it matches errs.ErrConflict.
type DuplicateError struct {
	ExistingID int64  // the contact that has the address
	Email      string // the canonical address
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("contact %d already has the e-mail address %s; change that contact instead", e.ExistingID, e.Email)
}

// Is makes errors.Is(err, errs.ErrConflict) true.
func (e *DuplicateError) Is(target error) bool { return target == errs.ErrConflict }

// conflict is a uniqueness error with a message saying what to do; it matches errs.ErrConflict.
type conflict struct{ msg string }

func (e conflict) Error() string { return e.msg }

// Is makes errors.Is(err, errs.ErrConflict) true.
func (e conflict) Is(target error) bool { return target == errs.ErrConflict }

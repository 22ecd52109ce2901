package web

import (
	"errors"
	"fmt"

	"github.com/danielgtaylor/huma/v2"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
)

// contactError turns an error of the contact service into the API's answer: a field at
// fault (prefixed with where it was given, e.g. "body.") is a 422, a taken e-mail address or
// list name a 409, a do-not-contact status the token may not lift a 403. Other errors pass.
func contactError(err error, prefix string) error {
	var in *contact.InputError
	var dup *contact.DuplicateError
	switch {
	case errors.As(err, &in):
		return invalid(prefix+in.Field, in.Msg, in.Value)
	case errors.As(err, &dup):
		msg := fmt.Sprintf("contact %d already has the e-mail address %s; change that contact with PATCH /api/v1/contacts/%d",
			dup.ExistingID, dup.Email, dup.ExistingID)
		return huma.Error409Conflict(msg, &huma.ErrorDetail{Location: prefix + "email", Message: "existing contact id", Value: dup.ExistingID})
	case errors.Is(err, errs.ErrConflict):
		return huma.Error409Conflict(err.Error())
	case errors.Is(err, contact.ErrStatusLift):
		return huma.Error403Forbidden(err.Error())
	}
	return err
}

// checkStatus reads a contact status given at location (a query parameter).
func checkStatus(location, raw string) (contact.Status, error) {
	st, err := contact.ParseStatus(raw)
	if err != nil {
		return "", invalid(location, err.Error(), raw)
	}
	return st, nil
}

// listRef names a list a contact is on.
type listRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/clearlist/clearlist/internal/errs"
	"github.com/danielgtaylor/huma/v2"
)

// internalMessage is all a client learns about an unexpected failure; the log has the rest.
const internalMessage = "the server failed to answer this request; the server log has the details"

// writeProblem answers with an RFC 9457 problem document, in the same shape huma uses.
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(huma.ErrorModel{Title: http.StatusText(status), Status: status, Detail: detail})
}

// serverError logs err with the request's context and answers 500 without revealing it.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.log.ErrorContext(r.Context(), what, "method", r.Method, "path", r.URL.Path, "err", err)
	writeProblem(w, http.StatusInternalServerError, internalMessage)
}

// register adds a huma operation that needs a bearer token, and passes every error its
// handler returns through apiError, so that no raw error reaches a client.
func register[I, O any](s *Server, api huma.API, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	op.Security = bearer
	op.Errors = append(op.Errors, http.StatusUnauthorized)
	if strings.Contains(op.Path, "{") {
		op.Errors = append(op.Errors, http.StatusNotFound)
	}
	huma.Register(api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, s.apiError(ctx, op.OperationID, err)
		}
		return out, nil
	})
}

// apiError turns a handler's error into the answer: huma status errors pass as they are,
// errs.ErrNotFound becomes 404, anything else is logged and becomes a bare 500.
func (s *Server) apiError(ctx context.Context, op string, err error) error {
	var se huma.StatusError
	if errors.As(err, &se) {
		return se
	}
	if errors.Is(err, errs.ErrNotFound) {
		return huma.Error404NotFound("not found in this workspace")
	}
	s.log.ErrorContext(ctx, "api request failed", "operation", op, "workspace_id", workspace(ctx), "err", err)
	return huma.Error500InternalServerError(internalMessage)
}

// notFound gives a 404 naming what was looked for when err is errs.ErrNotFound, and err otherwise.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, errs.ErrNotFound) {
		return huma.Error404NotFound(fmt.Sprintf(format, args...) + " does not exist in this workspace")
	}
	return err
}

// invalid is a 422 whose detail names the field at fault.
func invalid(location, msg string, value any) error {
	return huma.Error422UnprocessableEntity(msg, &huma.ErrorDetail{Location: location, Message: msg, Value: value})
}

// writeError answers a plain handler's error: huma status errors as problem documents,
// anything else as a logged 500.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, what string, err error) {
	var se huma.StatusError
	if !errors.As(err, &se) {
		s.serverError(w, r, what, err)
		return
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(se.GetStatus())
	json.NewEncoder(w).Encode(se)
}

package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
)

// AuditTrail reads the workspace's audit trail (audit.Service).
type AuditTrail interface {
	List(ctx context.Context, ws int64, f audit.Filter) ([]audit.Entry, error)
}

// auditRoutes registers GET /api/v1/audit (admin and compliance tokens only); without
// Config.Audit the route is left out.
func (s *Server) auditRoutes(api huma.API) {
	if s.cfg.Audit == nil {
		return
	}
	register(s, api, huma.Operation{OperationID: "list-audit", Method: http.MethodGet, Path: "/api/v1/audit",
		Summary: "The workspace's audit trail, newest first: who changed what, when (personal values as keyed hashes)",
		Tags:    []string{"audit"}}, s.listAudit)
}

type auditInput struct {
	Entity string    `query:"entity" doc:"Only entries about this entity: contact, consent, list, suppression, token, webhook, setting, workspace."`
	Limit  int       `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"At most this many entries."`
	Action string    `query:"action" doc:"Only entries of this action, e.g. suppression.add."`
	Actor  string    `query:"actor" doc:"Only entries whose actor has this name or id (a user's e-mail, a token's name)."`
	Since  time.Time `query:"since" doc:"Only entries recorded at or after this time (RFC 3339)."`
	Until  time.Time `query:"until" doc:"Only entries recorded before this time (RFC 3339)."`
	Before int64     `query:"before" minimum:"0" doc:"Cursor: entries with a smaller seq (the last seq of the previous page)."`
}

// filter is the input as the audit service's filter.
func (in *auditInput) filter() audit.Filter {
	return audit.Filter{Entity: in.Entity, Limit: in.Limit, Action: in.Action, Actor: in.Actor, Since: in.Since,
		Until: in.Until, Before: in.Before}
}

// auditEntry is audit.Entry under its own name in the OpenAPI document (consent has an Entry).
type auditEntry audit.Entry

type auditOutput struct {
	Body struct {
		Items []auditEntry `json:"items"`
	}
}

func (s *Server) listAudit(ctx context.Context, in *auditInput) (*auditOutput, error) {
	es, err := s.cfg.Audit.List(ctx, workspace(ctx), in.filter())
	if err != nil {
		return nil, err
	}
	out := &auditOutput{}
	out.Body.Items = make([]auditEntry, len(es))
	for i, e := range es {
		out.Body.Items[i] = auditEntry(e)
	}
	return out, nil
}

// requestID returns the request's X-Request-Id when it is a short token, or a new one; it is
// answered in the X-Request-Id header and recorded with every audit entry of the request.
func requestID(w http.ResponseWriter, r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool {
		return !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
	}) {
		id = audit.NewRequestID()
	}
	w.Header().Set("X-Request-Id", id)
	return id
}

// auditActor is the audit actor of a request made with an API token.
func auditActor(w http.ResponseWriter, r *http.Request, tok access.Token) audit.Actor {
	return audit.Actor{Kind: audit.Token, ID: strconv.FormatInt(tok.ID, 10), Name: tok.Name, Role: tok.Role,
		RequestID: requestID(w, r)}
}

// withPublicActor records the visitors of the public pages (sign-up, confirm, stop) as the
// actor of their changes: the IP address, which the store turns into a keyed hash.
func (s *Server) withPublicActor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := audit.Actor{Kind: audit.Public, ID: s.clientIP(r), RequestID: requestID(w, r)}
		next.ServeHTTP(w, r.WithContext(audit.WithActor(r.Context(), a)))
	})
}

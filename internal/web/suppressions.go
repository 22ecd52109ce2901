package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/suppress"
)

// Suppressions is the do-not-contact service behind /api/v1/suppressions, /api/v1/check and
// the agent, CRM and public stop endpoints (suppress.Service implements it).
type Suppressions interface {
	Entries(ctx context.Context, ws int64, f suppress.Filter) ([]suppress.Suppression, error)
	Suppress(ctx context.Context, ws int64, reqs []suppress.Intake) ([]suppress.Suppression, int, error)
	Unsuppress(ctx context.Context, ws, id int64, by, why, role string) (suppress.Suppression, error)
	CheckSuppressed(ctx context.Context, ws int64, kind, value, channel, purpose string) (suppress.CheckAnswer, error)
	LiftCRMFlag(ctx context.Context, ws int64, kind, value, by string) (int, error)
	SuppressionsFor(ctx context.Context, ws int64, kind, value string) ([]suppress.Suppression, error)
}

func (s *Server) suppressionRoutes(api huma.API) {
	if s.cfg.Suppressions == nil {
		return
	}
	tags := []string{"do-not-contact"}
	register(s, api, huma.Operation{OperationID: "list-suppressions", Method: http.MethodGet, Path: "/api/v1/suppressions",
		Summary: "List do-not-contact entries", Tags: tags}, s.listSuppressions)
	register(s, api, huma.Operation{OperationID: "add-suppressions", Method: http.MethodPost, Path: "/api/v1/suppressions",
		Summary: "Put identifiers on the do-not-contact list",
		Description: "Records up to 1,000 requests at once, all or none: an invalid one is answered with 422 naming it. " +
			"Entries apply at once; an identifier already listed with the same scope is counted as a duplicate.",
		DefaultStatus: http.StatusCreated, Tags: tags, Errors: []int{http.StatusUnprocessableEntity}}, s.addSuppressions)
	register(s, api, huma.Operation{OperationID: "remove-suppression", Method: http.MethodDelete, Path: "/api/v1/suppressions/{id}",
		Summary: "Take an entry off the list, with a reason",
		Description: "The entry is kept with who removed it, when and why. An entry recording what the person asked for " +
			"(unsubscribe, complaint, request-*, erasure) is removed only with a compliance or admin token (403 otherwise).", Tags: tags, Errors: []int{http.StatusForbidden, http.StatusUnprocessableEntity}}, s.removeSuppression)
	register(s, api, huma.Operation{OperationID: "check", Method: http.MethodGet, Path: "/api/v1/check",
		Summary: "May this address or number be contacted?",
		Description: "Screens one identifier against the workspace's and the instance's do-not-contact lists from memory. " +
			"Give email, phone, domain or value; channel and purpose narrow the question (empty: any).",
		Tags: tags, Errors: []int{http.StatusUnprocessableEntity}}, s.check)
	register(s, api, huma.Operation{OperationID: "agent-dnc", Method: http.MethodPost, Path: "/api/v1/agent/dnc",
		Summary: "Record a do-not-call request made during a call",
		Description: "For call-centre software: the number is suppressed for calls (or the scope given) at once, " +
			"with the agent as the recorder.", DefaultStatus: http.StatusCreated, Tags: tags,
		Errors: []int{http.StatusUnprocessableEntity}}, s.agentDNC)
	register(s, api, huma.Operation{OperationID: "crm-flags", Method: http.MethodPost, Path: "/api/v1/crm/flags",
		Summary: "Push do-not-contact flags from a CRM",
		Description: "A flag set records an entry with reason crm; a flag cleared removes only the CRM's own entries " +
			"for the identifier, never what a person asked for (unsubscribe, complaint, a request, erasure).", Tags: tags,
		Errors: []int{http.StatusUnprocessableEntity}}, s.crmFlags)
}

type listSuppressionsInput struct {
	Kind    string `query:"kind" enum:"email,domain,phone," doc:"Only entries of this kind."`
	Reason  string `query:"reason" doc:"Only entries of this reason."`
	Late    bool   `query:"late" doc:"Only entries recorded after their deadline."`
	Removed bool   `query:"removed" doc:"Include removed entries."`
	After   int64  `query:"after" minimum:"0" doc:"Cursor: entries with a greater id."`
	Limit   int    `query:"limit" default:"100" minimum:"1" maximum:"1000"`
}

type suppressionsOutput struct {
	Body struct {
		Suppressions []suppress.Suppression `json:"suppressions"`
		Next         int64                  `json:"next,omitempty" doc:"Pass as after for the next page."`
	}
}

func (s *Server) listSuppressions(ctx context.Context, in *listSuppressionsInput) (*suppressionsOutput, error) {
	list, err := s.cfg.Suppressions.Entries(ctx, workspace(ctx), suppress.Filter{Kind: in.Kind, Reason: in.Reason,
		LateOnly: in.Late, IncludeRemoved: in.Removed, AfterID: in.After, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	out := &suppressionsOutput{}
	out.Body.Suppressions = suppress.ForRole(tokenRole(ctx), list)
	if out.Body.Suppressions == nil {
		out.Body.Suppressions = []suppress.Suppression{}
	}
	if len(list) == in.Limit {
		out.Body.Next = list[len(list)-1].ID
	}
	return out, nil
}

type addSuppressionsInput struct {
	Body struct {
		Entries []suppress.Intake `json:"entries" minItems:"1" maxItems:"1000"`
	}
}

type addSuppressionsOutput struct {
	Body struct {
		Added      []suppress.Suppression `json:"added"`
		Duplicates int                    `json:"duplicates"`
	}
}

// tokenName is who an API write is recorded as when the request does not say.
func tokenName(ctx context.Context) string {
	tok, _ := ctx.Value(tokenKey{}).(access.Token)
	return "token:" + tok.Name
}

func tokenRole(ctx context.Context) string {
	tok, _ := ctx.Value(tokenKey{}).(access.Token)
	return tok.Role
}

func (s *Server) suppressMany(ctx context.Context, reqs []suppress.Intake) (*addSuppressionsOutput, error) {
	for i := range reqs {
		if reqs[i].By == "" {
			reqs[i].By = tokenName(ctx)
		}
	}
	added, dups, err := s.cfg.Suppressions.Suppress(ctx, workspace(ctx), reqs)
	if errors.Is(err, suppress.ErrInvalid) {
		return nil, invalid("body.entries", err.Error(), nil)
	}
	if err != nil {
		return nil, err
	}
	out := &addSuppressionsOutput{}
	out.Body.Added, out.Body.Duplicates = added, dups
	if out.Body.Added == nil {
		out.Body.Added = []suppress.Suppression{}
	}
	return out, nil
}

func (s *Server) addSuppressions(ctx context.Context, in *addSuppressionsInput) (*addSuppressionsOutput, error) {
	return s.suppressMany(ctx, in.Body.Entries)
}

type removeSuppressionInput struct {
	ID   int64 `path:"id"`
	Body struct {
		Why string `json:"why" minLength:"1" doc:"Why the entry is removed; kept in the audit trail."`
		By  string `json:"by,omitempty" doc:"Who removes it; default the token's name."`
	}
}

type suppressionOutput struct {
	Body suppress.Suppression
}

func (s *Server) removeSuppression(ctx context.Context, in *removeSuppressionInput) (*suppressionOutput, error) {
	by := in.Body.By
	if by == "" {
		by = tokenName(ctx)
	}
	e, err := s.cfg.Suppressions.Unsuppress(ctx, workspace(ctx), in.ID, by, in.Body.Why, tokenRole(ctx))
	switch {
	case errors.Is(err, suppress.ErrProtected):
		return nil, huma.Error403Forbidden(err.Error() + "; only a compliance or admin token may lift it")
	case errors.Is(err, suppress.ErrInvalid):
		return nil, invalid("body.why", err.Error(), in.Body.Why)
	case err != nil:
		return nil, notFound(err, "active entry %d", in.ID)
	}
	return &suppressionOutput{Body: suppress.ForRole(tokenRole(ctx), []suppress.Suppression{e})[0]}, nil
}

type checkInput struct {
	Email   string `query:"email" doc:"An e-mail address."`
	Phone   string `query:"phone" doc:"A phone number (E.164, or national with the server's default region)."`
	Domain  string `query:"domain" doc:"An e-mail domain."`
	Value   string `query:"value" doc:"Any identifier; its kind is guessed."`
	Channel string `query:"channel" enum:"email,phone,sms," doc:"The channel you would use; empty: any."`
	Purpose string `query:"purpose" doc:"The purpose you would contact for; empty: any."`
	Explain bool   `query:"explain" doc:"When blocked, also list the entries that concern the identifier (reads the database); their notes (the evidence) only for a compliance or admin token."`
}

type checkBody struct {
	suppress.CheckAnswer
	Entries []suppress.Suppression `json:"entries,omitempty" doc:"With explain=true: the entries behind a do-not-contact answer."`
}

type checkOutput struct {
	Body checkBody
}

func (s *Server) check(ctx context.Context, in *checkInput) (*checkOutput, error) {
	kind, value, given := "", "", 0
	for _, q := range []struct{ kind, value string }{{"email", in.Email}, {"phone", in.Phone}, {"domain", in.Domain}, {"", in.Value}} {
		if q.value != "" {
			kind, value, given = q.kind, q.value, given+1
		}
	}
	if given != 1 {
		return nil, invalid("query", "give exactly one of email, phone, domain or value", nil)
	}
	ans, err := s.cfg.Suppressions.CheckSuppressed(ctx, workspace(ctx), kind, value, in.Channel, in.Purpose)
	if errors.Is(err, suppress.ErrInvalid) {
		return nil, invalid("query", err.Error(), value)
	}
	if err != nil {
		return nil, err
	}
	result := "blocked"
	if ans.Contactable {
		result = "contactable"
	}
	s.metrics.checks.WithLabelValues(result).Inc()
	out := &checkOutput{Body: checkBody{CheckAnswer: ans}}
	if in.Explain && !ans.Contactable {
		entries, err := s.cfg.Suppressions.SuppressionsFor(ctx, workspace(ctx), kind, value)
		if err != nil {
			return nil, err
		}
		out.Body.Entries = suppress.ForRole(tokenRole(ctx), entries)
	}
	return out, nil
}

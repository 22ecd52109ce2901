package web

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/clearlist/clearlist/internal/access"
)

// Role sets of the route table.
var (
	staff      = []string{access.RoleAdmin, access.RoleCompliance, access.RoleMarketer}
	everyone   = []string{access.RoleAdmin, access.RoleCompliance, access.RoleMarketer, access.RoleAgent}
	compliance = []string{access.RoleAdmin, access.RoleCompliance}
	// marketing may create and send campaigns; compliance reads, pauses and cancels them,
	// and decides whether unknown deliveries (maybe sent) may go out again.
	marketing = []string{access.RoleAdmin, access.RoleMarketer}
	// admins may operate the instance's background jobs.
	admins = []string{access.RoleAdmin}
)

// routeRoles is the one table of who may call what: every /api/v1 route ("METHOD /path"
// as registered) and the token roles allowed on it. The router looks each /api/v1 route up
// here when it is registered and refuses to start without an entry, so no route can be
// added without a rule. Finer rules (a marketer may not lift a person's own request) sit in
// the domain and are checked by the service.
var routeRoles = map[string][]string{
	"GET /api/v1/contacts":                     staff,
	"POST /api/v1/contacts":                    staff,
	"GET /api/v1/contacts/{id}":                staff,
	"PATCH /api/v1/contacts/{id}":              staff,
	"DELETE /api/v1/contacts/{id}":             staff,
	"GET /api/v1/contacts/{id}/status-changes": compliance,
	"GET /api/v1/contacts/{id}/consents":       staff,
	"POST /api/v1/contacts/{id}/consents":      staff,
	"GET /api/v1/consents/stale":               staff,
	"GET /api/v1/purposes":                     staff,
	"POST /api/v1/purposes":                    staff,
	"GET /api/v1/lists":                        staff,
	"POST /api/v1/lists":                       staff,
	"GET /api/v1/lists/{id}":                   staff,
	"PATCH /api/v1/lists/{id}":                 staff,
	"DELETE /api/v1/lists/{id}":                staff,
	"GET /api/v1/sources":                      staff,
	"POST /api/v1/sources":                     staff,
	"GET /api/v1/sources/{id}":                 staff,
	"GET /api/v1/source-types":                 staff,
	"POST /api/v1/imports":                     staff,
	"GET /api/v1/imports/{id}":                 staff,
	"GET /api/v1/imports/{id}/errors":          staff,
	"POST /api/v1/imports/{id}/cancel":         staff, // as starting one
	"GET /api/v1/eligibility":                  everyone,
	"GET /api/v1/suppressions":                 staff,
	"POST /api/v1/suppressions":                staff,
	"DELETE /api/v1/suppressions/{id}":         staff,
	"GET /api/v1/check":                        everyone,
	"POST /api/v1/agent/dnc":                   everyone,
	"POST /api/v1/crm/flags":                   everyone,
	"GET /api/v1/verify":                       staff,
	"POST /api/v1/verify/jobs":                 staff,
	"GET /api/v1/verify/jobs/{id}":             staff,
	"GET /api/v1/audit":                        compliance,
	"GET /api/v1/jobs":                         compliance,
	"GET /api/v1/campaigns":                    staff,
	"POST /api/v1/campaigns":                   marketing,
	"GET /api/v1/campaigns/{id}":               staff,
	"PUT /api/v1/campaigns/{id}":               marketing,
	"GET /api/v1/campaigns/{id}/preflight":     staff,
	"POST /api/v1/campaigns/{id}/start":        marketing,
	"POST /api/v1/campaigns/{id}/schedule":     marketing,
	"POST /api/v1/campaigns/{id}/pause":        staff,
	"POST /api/v1/campaigns/{id}/resume":       marketing,
	"POST /api/v1/campaigns/{id}/cancel":       staff,
	"POST /api/v1/campaigns/{id}/retry":        compliance,
	"POST /api/v1/campaigns/{id}/test":         marketing,
	"POST /api/v1/campaigns/{id}/ab/pick":      staff,
	"GET /api/v1/campaigns/{id}/deliveries":    staff,
	"GET /api/v1/templates":                    staff,
	"POST /api/v1/templates":                   marketing,
	"GET /api/v1/templates/{id}":               staff,
	"PUT /api/v1/templates/{id}":               marketing,

	// Campaign reports (read only) and the transactional stream. Service messages are sent
	// by the workspace's applications (admin or marketer tokens); compliance reads the log.
	"GET /api/v1/campaigns/{id}/report":            staff,
	"GET /api/v1/campaigns/{id}/report/domains":    staff,
	"GET /api/v1/campaigns/{id}/report/hours":      staff,
	"GET /api/v1/campaigns/{id}/recipients":        staff,
	"GET /api/v1/campaigns/{id}/recipients/export": staff,
	"POST /api/v1/transactional":                   marketing,
	"GET /api/v1/transactional":                    staff,
	// Delivery events are read by staff; deciding whether a reply asks to stop is
	// compliance's call (it may put a person on the do-not-contact list).
	"GET /api/v1/bounce/events":        staff,
	"GET /api/v1/bounce/reviews":       compliance,
	"POST /api/v1/bounce/reviews/{id}": compliance,
	// The embeddable sign-up form: HTML to paste into the workspace's own site.
	"GET /api/v1/forms/snippet": staff,
	// A campaign's message as one contact would get it (renders; writes nothing).
	"GET /api/v1/campaigns/{id}/preview": staff,
	// Retrying, cancelling and queueing background jobs is the instance's operation: admins
	// (and owners) only; the verification jobs of a workspace are listed by staff.
	"POST /api/v1/jobs/{id}/retry":  admins,
	"POST /api/v1/jobs/{id}/cancel": admins,
	"POST /api/v1/jobs/run":         admins,
	"GET /api/v1/verify/jobs":       staff,
	// The workspace's settings, DKIM keys, API tokens, webhooks and people are the admins'
	// (owners act as admins; the user service keeps the owner role to owners); a purpose's
	// legitimate-interest assessment is compliance's.
	"GET /api/v1/settings":                 admins,
	"PUT /api/v1/settings":                 admins,
	"GET /api/v1/dkim":                     admins,
	"POST /api/v1/dkim":                    admins,
	"GET /api/v1/tokens":                   admins,
	"POST /api/v1/tokens":                  admins,
	"DELETE /api/v1/tokens/{id}":           admins,
	"GET /api/v1/webhooks":                 admins,
	"POST /api/v1/webhooks":                admins,
	"DELETE /api/v1/webhooks/{id}":         admins,
	"GET /api/v1/webhooks/{id}/deliveries": admins,
	// The workspaces the caller works in (a person's memberships, a token's own workspace);
	// the workspaces page, which also creates workspaces, opens for owners only.
	"GET /api/v1/workspaces":          admins,
	"GET /api/v1/users":               admins,
	"POST /api/v1/users":              admins,
	"PATCH /api/v1/users/{id}":        admins,
	"GET /api/v1/purposes/{name}/lia": compliance,
	"PUT /api/v1/purposes/{name}/lia": compliance,
}

// Route is one /api/v1 route and the roles allowed on it.
type Route struct {
	Pattern string   // "METHOD /path/{param}", as registered
	Roles   []string // the token roles allowed
}

// APIRoutes returns the route table, sorted by pattern: every /api/v1 route the server can
// register and the roles allowed on it (for tests and documentation).
func APIRoutes() []Route {
	out := make([]Route, 0, len(routeRoles))
	for p, roles := range routeRoles {
		out = append(out, Route{Pattern: p, Roles: slices.Clone(roles)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pattern < out[j].Pattern })
	return out
}

// APIRoutes returns the /api/v1 routes this server registered (some depend on its
// configuration) with the roles allowed on each, sorted by pattern.
func (s *Server) APIRoutes() []Route {
	out := slices.Clone(s.apiRts)
	sort.Slice(out, func(i, j int) bool { return out[i].Pattern < out[j].Pattern })
	return out
}

// registered notes an /api/v1 route the server registered (in New, before it answers anything).
func (s *Server) registered(r Route) { s.apiRts = append(s.apiRts, r) }

// isAPI reports whether a mux pattern ("METHOD /path" or "/path") is under /api/v1/.
func isAPI(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	return strings.HasPrefix(path, apiPrefix) || strings.HasPrefix(pattern, apiPrefix)
}

// rolesFor returns the roles allowed on an /api/v1 pattern; a pattern without an entry in
// routeRoles is a programming error, reported at start-up.
func rolesFor(pattern string) []string {
	roles, ok := routeRoles[pattern]
	if !ok {
		panic(fmt.Sprintf("web: route %q has no entry in routeRoles (internal/web/access.go): say which token roles may call it", pattern))
	}
	return roles
}

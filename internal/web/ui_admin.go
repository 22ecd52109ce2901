package web

import (
	"net/http"
	"slices"

	"github.com/a-h/templ"

	"github.com/clearlist/clearlist/internal/access"
)

// The admin UI's settings, people and account pages. Settings, DKIM keys, tokens, webhooks,
// people and legitimate-interest assessments are gated by their API routes (admin_api.go;
// uiGate), so a page and a token have the same rights. Without an API route: a
// person's own account page (every role) and the owners' workspaces page (uiAdminRoles, as
// access.Allows maps the user roles: owner acts as admin; the page checks for owners).
var (
	uiAdminRoles    = []string{access.RoleAdmin}
	uiEveryoneRoles = []string{access.RoleAdmin, access.RoleCompliance, access.RoleMarketer, access.RoleAgent}
)

// The API routes of the purposes page.
const (
	uiPurposesRoute   = "GET /api/v1/purposes"
	uiAddPurposeRoute = "POST /api/v1/purposes"
)

// maxAdminForm bounds the forms of the settings and people pages.
const maxAdminForm = 64 << 10

// uiAdminRoutes registers the settings, people, account and purposes pages.
func (s *Server) uiAdminRoutes(page func(string, http.HandlerFunc)) {
	page("GET /ui/settings", s.uiSettings)
	page("POST /ui/settings", s.uiSaveSettings)
	page("GET /ui/settings/dkim", s.uiDKIM)
	page("POST /ui/settings/dkim", s.uiGenerateDKIM)
	page("GET /ui/settings/tokens", s.uiTokens)
	page("POST /ui/settings/tokens", s.uiCreateToken)
	page("POST /ui/settings/tokens/{id}/revoke", s.uiRevokeToken)
	page("GET /ui/settings/webhooks", s.uiWebhooks)
	page("POST /ui/settings/webhooks", s.uiAddWebhook)
	page("GET /ui/settings/webhooks/{id}", s.uiWebhookLog)
	page("POST /ui/settings/webhooks/{id}/disable", s.uiDisableWebhook)
	page("GET /ui/settings/users", s.uiUsers)
	page("POST /ui/settings/users", s.uiAddUser)
	page("POST /ui/settings/users/role", s.uiUserRole)
	page("POST /ui/settings/users/disable", s.uiUserDisable)
	page("POST /ui/settings/users/password", s.uiUserPassword)
	page("GET /ui/account", s.uiAccount)
	page("GET /ui/account/totp", s.uiTOTP)
	page("POST /ui/account/totp", s.uiEnableTOTP)
	page("POST /ui/account/workspace", s.uiSwitchWorkspace)
	page("GET /ui/settings/workspaces", s.uiWorkspaces)
	page("POST /ui/settings/workspaces", s.uiCreateWorkspace)
	page("GET /ui/purposes", s.uiPurposes)
	page("POST /ui/purposes", s.uiAddPurpose)
	page("POST /ui/purposes/lia", s.uiSetLIA)
}

// maySection reports whether the session's role may open a section (its Roles, or its
// API route's).
func (s *Server) maySection(r *http.Request, sec uiSection) bool {
	if sec.Roles != nil {
		return s.mayRoles(r, sec.Roles, http.MethodGet)
	}
	return s.may(r, sec.Route)
}

// mayRoles reports whether the session's role may act (method) where roles are allowed.
func (s *Server) mayRoles(r *http.Request, roles []string, method string) bool {
	ss, _ := sessionOf(r.Context())
	return access.Allows(roles, ss.Role, method)
}

// uiGateRoles is uiGate for the pages without an API route: 404 without the service, 403
// unless the role may use the method where roles are allowed. A changing request also
// gets its form read (bounded).
func (s *Server) uiGateRoles(w http.ResponseWriter, r *http.Request, roles []string, section string, available bool) bool {
	if !available {
		s.uiError(w, r, section, http.StatusNotFound, "This part of clearlist is not set up on this server.")
		return false
	}
	if !s.mayRoles(r, roles, r.Method) {
		ss, _ := sessionOf(r.Context())
		s.uiError(w, r, section, http.StatusForbidden, "Your role ("+ss.Role+") may not open or change this; ask an owner or an admin.")
		return false
	}
	return s.uiReadForm(w, r, section)
}

// uiGateAdmin gates a settings, people or assessment page by its API route (uiGate: the
// route's own method, so a read-only role may look but not change) and reads a POST's form
// (bounded).
func (s *Server) uiGateAdmin(w http.ResponseWriter, r *http.Request, route, section string, available bool) bool {
	return s.uiGate(w, r, route, section, available) && s.uiReadForm(w, r, section)
}

// uiReadForm reads a POST's form (at most maxAdminForm); it answers 400 and reports false
// when the form cannot be read.
func (s *Server) uiReadForm(w http.ResponseWriter, r *http.Request, section string) bool {
	if r.Method != http.MethodPost {
		return true
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAdminForm)
	if err := r.ParseForm(); err != nil {
		s.uiError(w, r, section, http.StatusBadRequest, "The form could not be read (too large, or cut off); go back and try again.")
		return false
	}
	return true
}

// uiDone answers a successful POST by sending the browser to the page that shows the result.
func uiDone(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// noStore keeps a page that shows a secret once (a new token, recovery codes) out of caches.
func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// settingsNav is the sub-navigation of the Settings section.
type settingsNav struct{ Href, Label string }

var settingsPages = []settingsNav{
	{"/ui/settings", "Workspace settings"}, {"/ui/settings/dkim", "DKIM keys"}, {"/ui/settings/tokens", "API tokens"},
	{"/ui/settings/webhooks", "Webhooks"}, {"/ui/settings/users", "Users"},
}

// settingsPagesFor is the sub-navigation for a role: owners also manage their workspaces.
func settingsPagesFor(role string) []settingsNav {
	if role == access.RoleOwner {
		return append(slices.Clone(settingsPages), settingsNav{"/ui/settings/workspaces", "Workspaces"})
	}
	return settingsPages
}

// describedBy names a field's hint and, when there is one, its error (and marks it invalid).
func describedBy(id, err string) templ.Attributes {
	if err == "" {
		return templ.Attributes{"aria-describedby": id + "-hint"}
	}
	return templ.Attributes{"aria-describedby": id + "-err " + id + "-hint", "aria-invalid": "true"}
}

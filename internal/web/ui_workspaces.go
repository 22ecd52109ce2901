package web

import (
	"net/http"
	"strings"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/user"
)

// workspacesData is the owners' workspaces page: the workspaces they work in, and the form to
// create one (of which they become the owner). Other workspaces of the instance are not
// shown: each is another data controller's.
type workspacesData struct {
	Nav             uiNav
	Workspaces      []user.Membership
	Name, NameError string
	Created         string
}

// uiOwnerGate lets only an owner (of the session's workspace) through.
func (s *Server) uiOwnerGate(w http.ResponseWriter, r *http.Request) bool {
	if !s.uiGateRoles(w, r, uiAdminRoles, "settings", s.cfg.Workspaces != nil && s.cfg.Accounts != nil) {
		return false
	}
	if ss, _ := sessionOf(r.Context()); ss.Role != access.RoleOwner {
		s.uiError(w, r, "settings", http.StatusForbidden, "Only an owner creates workspaces here; an operator can too (`clearlist workspace create`).")
		return false
	}
	return true
}

func (s *Server) uiWorkspaces(w http.ResponseWriter, r *http.Request) {
	if !s.uiOwnerGate(w, r) {
		return
	}
	s.renderWorkspaces(w, r, http.StatusOK, workspacesData{Created: r.URL.Query().Get("created")})
}

func (s *Server) renderWorkspaces(w http.ResponseWriter, r *http.Request, status int, d workspacesData) {
	ms, err := s.cfg.Accounts.Workspaces(r.Context(), apiManager(r.Context())) // as GET /api/v1/workspaces
	if err != nil {
		s.uiFail(w, r, "settings", "workspaces", err)
		return
	}
	d.Nav, d.Workspaces = s.nav(r, "settings"), ms
	s.renderUI(w, r, status, workspacesPage(d))
}

func (s *Server) uiCreateWorkspace(w http.ResponseWriter, r *http.Request) {
	if !s.uiOwnerGate(w, r) {
		return
	}
	ss, _ := sessionOf(r.Context())
	name := strings.TrimSpace(r.PostForm.Get("name"))
	_, err := s.cfg.Workspaces.CreateOwned(r.Context(), name, ss.UserID)
	if err != nil && (strings.HasPrefix(err.Error(), "workspace name") || strings.HasPrefix(err.Error(), "workspace "+name+" already")) {
		s.renderWorkspaces(w, r, http.StatusBadRequest, workspacesData{Name: name, NameError: err.Error()})
		return
	}
	if err != nil {
		s.uiFail(w, r, "settings", "workspace", err)
		return
	}
	uiDone(w, r, "/ui/settings/workspaces?created="+name)
}

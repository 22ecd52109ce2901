package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/user"
)

// usersData is the workspace's people and the form to add one.
type usersData struct {
	Nav     uiNav
	Users   []user.User
	WSID    int64
	Roles   []string // the roles the signed-in user may give
	Self    string   // the signed-in user's address
	Error   string   // a row action's failure
	Done    string   // what the last change did
	Add     userForm
	IsOwner bool
}

// userForm is the add-a-user form with what was typed and each field's error.
type userForm struct {
	Email, Name, Role                  string
	EmailError, RoleError, PasswordErr string
}

// manager is the signed-in user as the user service checks their changes of people.
func manager(r *http.Request) user.Manager {
	ss, _ := sessionOf(r.Context())
	return user.Manager{Email: ss.Email, Role: ss.Role, WorkspaceID: ss.WorkspaceID}
}

func (s *Server) uiUsers(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, usersRoute, "settings", s.cfg.Accounts != nil) {
		return
	}
	s.renderUsers(w, r, http.StatusOK, usersData{Add: userForm{Role: access.RoleMarketer}, Done: doneText(r.URL.Query().Get("done"))})
}

// doneText says what a change of people did (from the redirect after it).
func doneText(code string) string {
	return map[string]string{"added": "The user was added.", "role": "The role was changed.", "disabled": "The account was disabled; its sessions ended.",
		"enabled": "The account was enabled.", "password": "The password was changed; the account's sessions ended."}[code]
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, d usersData) {
	ss, _ := sessionOf(r.Context())
	us, err := s.cfg.Accounts.Members(r.Context(), ss.WorkspaceID)
	if err != nil {
		s.uiFail(w, r, "settings", "users", err)
		return
	}
	d.Nav, d.Users, d.WSID, d.Self, d.IsOwner = s.nav(r, "settings"), us, ss.WorkspaceID, ss.Email, ss.Role == access.RoleOwner
	for _, role := range access.UserRoles {
		if role != access.RoleOwner || d.IsOwner {
			d.Roles = append(d.Roles, role)
		}
	}
	s.renderUI(w, r, status, usersPage(d))
}

func (s *Server) uiAddUser(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, addUserRoute, "settings", s.cfg.Accounts != nil) {
		return
	}
	f := userForm{Email: strings.TrimSpace(r.PostForm.Get("email")), Name: strings.TrimSpace(r.PostForm.Get("name")), Role: r.PostForm.Get("role")}
	_, err := s.cfg.Accounts.AddMember(r.Context(), manager(r), f.Email, f.Name, r.PostForm.Get("password"), f.Role)
	if err == nil {
		uiDone(w, r, "/ui/settings/users?done=added")
		return
	}
	d := usersData{Add: f}
	msg := err.Error()
	switch {
	case errors.Is(err, user.ErrNotManager):
		d.Error = msg
	case errors.Is(err, errs.ErrConflict), strings.Contains(msg, "not an e-mail address"):
		d.Add.EmailError = msg
	case strings.HasPrefix(msg, "role "):
		d.Add.RoleError = msg
	case strings.Contains(msg, "password"), strings.Contains(msg, "passphrase"):
		d.Add.PasswordErr = msg
	default:
		s.uiFail(w, r, "settings", "user", err)
		return
	}
	s.renderUsers(w, r, http.StatusBadRequest, d)
}

// uiUserChange runs one change of a member's account and answers it: back to the list on
// success, the list with the reason otherwise.
func (s *Server) uiUserChange(w http.ResponseWriter, r *http.Request, done string, change func(by user.Manager, email string) error) {
	if !s.uiGateAdmin(w, r, changeUserRoute, "settings", s.cfg.Accounts != nil) {
		return
	}
	email := r.PostForm.Get("email")
	err := change(manager(r), email)
	switch {
	case err == nil:
		uiDone(w, r, "/ui/settings/users?done="+done)
	case errors.Is(err, user.ErrNotManager), errors.Is(err, errs.ErrNotFound), strings.HasPrefix(err.Error(), "role "),
		strings.Contains(err.Error(), "password"), strings.Contains(err.Error(), "passphrase"):
		status := http.StatusBadRequest
		if errors.Is(err, user.ErrNotManager) {
			status = http.StatusForbidden
		}
		s.renderUsers(w, r, status, usersData{Error: email + ": " + err.Error(), Add: userForm{Role: access.RoleMarketer}})
	default:
		s.uiFail(w, r, "settings", "user", err)
	}
}

func (s *Server) uiUserRole(w http.ResponseWriter, r *http.Request) {
	s.uiUserChange(w, r, "role", func(by user.Manager, email string) error {
		return s.cfg.Accounts.ChangeRole(r.Context(), by, email, r.PostForm.Get("role"))
	})
}

func (s *Server) uiUserDisable(w http.ResponseWriter, r *http.Request) {
	disable := r.PostForm.Get("disabled") != "false"
	done := map[bool]string{true: "disabled", false: "enabled"}[disable]
	s.uiUserChange(w, r, done, func(by user.Manager, email string) error {
		return s.cfg.Accounts.SetMemberDisabled(r.Context(), by, email, disable)
	})
}

func (s *Server) uiUserPassword(w http.ResponseWriter, r *http.Request) {
	s.uiUserChange(w, r, "password", func(by user.Manager, email string) error {
		return s.cfg.Accounts.ResetPassword(r.Context(), by, email, r.PostForm.Get("password"))
	})
}

// roleOf is a user's role in workspace ws ("" when none).
func roleOf(u user.User, ws int64) string {
	for _, m := range u.Roles {
		if m.WorkspaceID == ws {
			return m.Role
		}
	}
	return ""
}

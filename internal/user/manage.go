package user

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/errs"
)

// Manager is who manages a workspace's people from the admin UI: the signed-in user and
// their role in the workspace.
type Manager struct {
	Email       string
	Role        string
	WorkspaceID int64
}

// ErrNotManager is a change of people by a role that may not make it.
var ErrNotManager = errors.New("only an owner or an admin manages the workspace's people")

// The rules of managing people, on top of the role table: owners and admins manage the
// workspace's people; only an owner gives or takes the owner role or changes an owner's
// account; nobody changes their own role or disables themself (an owner would lock the
// workspace out); an account that also works in another workspace is disabled or given a new
// password only by an operator (`clearlist user disable|passwd`), since that changes it there too.
func (m Manager) may() error {
	if m.Role != access.RoleOwner && m.Role != access.RoleAdmin {
		return ErrNotManager
	}
	return nil
}

func (m Manager) mayTouch(current, next string) error {
	if m.Role != access.RoleOwner && (current == access.RoleOwner || next == access.RoleOwner) {
		return fmt.Errorf("only an owner gives or takes the owner role or changes an owner's account: %w", ErrNotManager)
	}
	return nil
}

// Members returns the accounts with a role in workspace ws, by e-mail address.
func (s *Service) Members(ctx context.Context, ws int64) ([]User, error) {
	all, err := s.st.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []User
	for _, u := range all {
		if _, ok := roleIn(u, ws); ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// roleIn returns the user's role in workspace ws.
func roleIn(u User, ws int64) (string, bool) {
	for _, m := range u.Roles {
		if m.WorkspaceID == ws {
			return m.Role, true
		}
	}
	return "", false
}

// member returns the account of email with its role in the manager's workspace; an account
// without one there is not found (a workspace's people are managed only from it).
func (s *Service) member(ctx context.Context, by Manager, email string) (Credentials, string, error) {
	if err := by.may(); err != nil {
		return Credentials{}, "", err
	}
	c, err := s.account(ctx, email)
	if err != nil {
		return Credentials{}, "", err
	}
	role, ok := roleIn(c.User, by.WorkspaceID)
	if !ok {
		return Credentials{}, "", fmt.Errorf("%s has no role in this workspace: %w", c.Email, errs.ErrNotFound)
	}
	return c, role, nil
}

// AddMember creates an account with a role in the manager's workspace.
func (s *Service) AddMember(ctx context.Context, by Manager, email, name, password, role string) (User, error) {
	if err := by.may(); err != nil {
		return User{}, err
	}
	if err := by.mayTouch("", role); err != nil {
		return User{}, err
	}
	return s.Add(ctx, email, name, password, by.WorkspaceID, role)
}

// ChangeRole gives a member of the manager's workspace another role there.
func (s *Service) ChangeRole(ctx context.Context, by Manager, email, role string) error {
	if err := CheckRole(role); err != nil {
		return err
	}
	c, current, err := s.member(ctx, by, email)
	if err != nil {
		return err
	}
	if err := by.mayTouch(current, role); err != nil {
		return err
	}
	if c.Email == by.Email && role != current {
		return fmt.Errorf("you cannot change your own role; ask another owner: %w", ErrNotManager)
	}
	return s.st.SetUserRole(ctx, c.ID, by.WorkspaceID, role)
}

// solely checks that an account-wide change (disable, password) touches only this workspace.
func solely(c Credentials, ws int64) error {
	var others []string
	for _, m := range c.Roles {
		if m.WorkspaceID != ws {
			others = append(others, m.Workspace)
		}
	}
	if len(others) > 0 {
		return fmt.Errorf("%s also works in %s: ask an operator (`clearlist user disable|passwd`), since the change applies there too: %w",
			c.Email, strings.Join(others, ", "), ErrNotManager)
	}
	return nil
}

// SetMemberDisabled disables (ending its sessions) or enables a member's account.
func (s *Service) SetMemberDisabled(ctx context.Context, by Manager, email string, disabled bool) error {
	c, current, err := s.member(ctx, by, email)
	if err != nil {
		return err
	}
	if err := by.mayTouch(current, ""); err != nil {
		return err
	}
	if c.Email == by.Email {
		return fmt.Errorf("you cannot disable your own account: %w", ErrNotManager)
	}
	if err := solely(c, by.WorkspaceID); err != nil {
		return err
	}
	return s.st.SetUserDisabled(ctx, c.ID, disabled)
}

// ResetPassword gives a member's account a new password and ends its sessions.
func (s *Service) ResetPassword(ctx context.Context, by Manager, email, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	c, current, err := s.member(ctx, by, email)
	if err != nil {
		return err
	}
	if err := by.mayTouch(current, ""); err != nil {
		return err
	}
	if err := solely(c, by.WorkspaceID); err != nil {
		return err
	}
	h, err := s.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	return s.st.SetUserPassword(ctx, c.ID, h)
}

// Memberships returns the workspaces the account of email has a role in.
func (s *Service) Memberships(ctx context.Context, email string) ([]Membership, error) {
	c, err := s.account(ctx, email)
	if err != nil {
		return nil, err
	}
	return c.Roles, nil
}

// Workspaces returns the workspaces the caller m may see, with m's role in each: a signed-in
// person sees the workspaces they work in (as the admin UI's workspaces and account pages
// show them), a token (no person) its own workspace only. The other workspaces of the
// instance are other data controllers'; an operator lists them all with
// `clearlist workspace ls`.
func (s *Service) Workspaces(ctx context.Context, m Manager) ([]Membership, error) {
	if m.Email != "" {
		return s.Memberships(ctx, m.Email)
	}
	all, err := s.st.Workspaces(ctx)
	if err != nil {
		return nil, err
	}
	for _, w := range all {
		if w.ID == m.WorkspaceID {
			return []Membership{{WorkspaceID: w.ID, Workspace: w.Name, Role: m.Role}}, nil
		}
	}
	return nil, fmt.Errorf("workspace %d: %w", m.WorkspaceID, errs.ErrNotFound)
}

// SwitchWorkspace moves the session of id to another workspace its user has a role in and
// returns it as it now is.
func (s *Service) SwitchWorkspace(ctx context.Context, id, workspace string) (Session, error) {
	ss, err := s.Session(ctx, id)
	if err != nil {
		return Session{}, err
	}
	c, err := s.account(ctx, ss.Email)
	if err != nil {
		return Session{}, err
	}
	m, ok := pick(c.Roles, workspace)
	if !ok || workspace == "" {
		return Session{}, fmt.Errorf("you have no role in workspace %q: %w", workspace, ErrNoRole)
	}
	if err := s.st.SetSessionWorkspace(ctx, hashID(id), m.WorkspaceID); err != nil {
		return Session{}, err
	}
	return s.Session(ctx, id)
}

// Package access holds who may do what: the roles a token or a user can have and the rules
// that depend on the role alone. Which API route each role may call is the route table in
// internal/web/access.go.
package access

import (
	"slices"
	"time"
)

// Token is an API token's public record; the secret itself is shown once and stored hashed.
type Token struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"workspace_id"`
	Name        string     `json:"name"`
	Prefix      string     `json:"prefix"`
	Role        string     `json:"role"`
	CreatedAt   time.Time  `json:"created_at"`
	LastUsedAt  *time.Time `json:"last_used_at,omitempty"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// The roles a token can have; a user (a person signing in to the admin UI) has one of these
// or RoleOwner or RoleReadOnly in each workspace.
const (
	RoleAdmin      = "admin"      // everything
	RoleCompliance = "compliance" // everything; the role that may lift a person's own request
	RoleMarketer   = "marketer"   // everything but lifting what a person asked for and reading evidence
	RoleAgent      = "agent"      // call-centre and CRM software: check and record do-not-contact requests only
)

// The roles only users have.
const (
	RoleOwner    = "owner"     // an admin who also manages the workspace's people (owner ≥ admin)
	RoleReadOnly = "read-only" // reads what staff (admin, compliance, marketer) read; changes nothing
)

// Roles lists the valid token roles.
var Roles = []string{RoleAdmin, RoleCompliance, RoleMarketer, RoleAgent}

// UserRoles lists the valid roles of a user in a workspace, strongest first.
var UserRoles = []string{RoleOwner, RoleAdmin, RoleCompliance, RoleMarketer, RoleAgent, RoleReadOnly}

// MayOverrulePerson reports whether role may lift what a person asked for: a do-not-contact
// entry of a person-originated reason, or a contact status that means "do not contact".
func MayOverrulePerson(role string) bool {
	return role == RoleOwner || role == RoleAdmin || role == RoleCompliance
}

// SeesEvidence reports whether role may read the evidence kept with a request (the
// requester's IP address and browser in an entry's note).
func SeesEvidence(role string) bool {
	return role == RoleOwner || role == RoleAdmin || role == RoleCompliance
}

// Allows reports whether role may call a route open to the token roles allowed (an entry of
// the route table) with method. The user roles map onto the token roles, so that there is one
// table: an owner may do what an admin may; read-only may call the GET routes open to a
// marketer (what staff read), and nothing that changes data.
func Allows(allowed []string, role, method string) bool {
	switch role {
	case RoleOwner:
		role = RoleAdmin
	case RoleReadOnly:
		return (method == "GET" || method == "HEAD") && slices.Contains(allowed, RoleMarketer)
	}
	return slices.Contains(allowed, role)
}

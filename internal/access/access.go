// Package access holds who may do what: the roles a token (and later a user) can have and the
// rules that depend on the role alone. Which API route each role may call is the route table in
// internal/web/access.go.
package access

import "time"

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

// The roles a token can have.
const (
	RoleAdmin      = "admin"      // everything
	RoleCompliance = "compliance" // everything; the role that may lift a person's own request
	RoleMarketer   = "marketer"   // everything but lifting what a person asked for and reading evidence
	RoleAgent      = "agent"      // call-centre and CRM software: check and record do-not-contact requests only
)

// Roles lists the valid roles.
var Roles = []string{RoleAdmin, RoleCompliance, RoleMarketer, RoleAgent}

// MayOverrulePerson reports whether role may lift what a person asked for: a do-not-contact
// entry of a person-originated reason, or a contact status that means "do not contact".
func MayOverrulePerson(role string) bool { return role == RoleAdmin || role == RoleCompliance }

// SeesEvidence reports whether role may read the evidence kept with a request (the
// requester's IP address and browser in an entry's note).
func SeesEvidence(role string) bool { return role == RoleAdmin || role == RoleCompliance }

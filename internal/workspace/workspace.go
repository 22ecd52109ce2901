// Package workspace holds workspaces (one data controller each) and their settings: the
// name rule shared by the command line, the API and the public pages, the settings and how
// each is checked, and the service that creates, renames, deletes and configures workspaces.
package workspace

import (
	"fmt"
	"regexp"
	"time"
)

// Workspace is one data controller; every row belongs to exactly one.
type Workspace struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Default is the workspace every fresh database has.
const Default = "default"

var slug = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// Rule says in words which names are allowed, for error messages.
const Rule = "lower-case letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters"

// ValidName checks that name is a slug: it appears in URLs, paths and pages, so nothing
// that could be read as a path, markup or a query is accepted.
func ValidName(name string) error {
	if !slug.MatchString(name) {
		return fmt.Errorf("workspace name %q is not allowed: use %s (e.g. acme-ltd)", name, Rule)
	}
	return nil
}

// IsValidName reports whether name is an allowed workspace name.
func IsValidName(name string) bool { return slug.MatchString(name) }

package store

import "github.com/clearlist/clearlist/internal/suppress"

// ForRole returns the entries as role may see them (suppress.ForRole).
func ForRole(role string, entries []Suppression) []Suppression {
	return suppress.ForRole(role, entries)
}

package contact

import "time"

// Contact is one person in a workspace, reachable by e-mail and optionally by phone.
type Contact struct {
	ID             int64          `json:"id"`
	WorkspaceID    int64          `json:"-"`
	Email          string         `json:"email"`
	EmailCanonical string         `json:"email_canonical"`
	Phone          string         `json:"phone,omitempty"`
	Status         Status         `json:"status"`
	Country        string         `json:"country" doc:"ISO 3166-1 alpha-2 country; it chooses the rules that apply. Empty when unknown."`
	Kind           Kind           `json:"contact_kind" doc:"personal, sole_trader or corporate; empty when unknown (then guessed from the e-mail domain)."`
	Attrs          map[string]any `json:"attributes"`
	FirstSourceID  int64          `json:"first_source_id"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// List is a named group of contacts in a workspace.
type List struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"-"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Public      bool      `json:"public"` // open to public sign-up (the subscribe page and API)
	CreatedAt   time.Time `json:"created_at"`
}

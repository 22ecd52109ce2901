package webhook

import "time"

// Webhook is an outgoing webhook of a workspace: every change to its do-not-contact list is
// posted to URL, the body signed with Secret (HMAC-SHA256).
type Webhook struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"-"`
	URL         string     `json:"url"`
	Secret      []byte     `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
	DisabledAt  *time.Time `json:"disabled_at,omitempty"`
}

// Delivery is one event for one webhook: the outbox row and its delivery log. Its ID goes
// with every attempt (the Clearlist-Delivery header), for receivers to de-duplicate retries.
type Delivery struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"-"`
	WebhookID   int64      `json:"webhook_id"`
	Event       string     `json:"event"`
	Body        string     `json:"body"`
	CreatedAt   time.Time  `json:"created_at"`
	Attempts    int        `json:"attempts"`
	NextAt      time.Time  `json:"next_at"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	FailedAt    *time.Time `json:"failed_at,omitempty"`
	LastStatus  int        `json:"last_status,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
}

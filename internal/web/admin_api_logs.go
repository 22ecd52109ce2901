package web

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/clearlist/clearlist/internal/user"
	"github.com/clearlist/clearlist/internal/webhook"
)

// The API routes of the admin UI's workspaces page and webhook delivery log.
const (
	workspacesRoute = "GET /api/v1/workspaces"
	webhookLogRoute = "GET /api/v1/webhooks/{id}/deliveries"
)

// adminLogRoutes registers GET /api/v1/workspaces and GET /api/v1/webhooks/{id}/deliveries
// (each when its service is set up).
func (s *Server) adminLogRoutes(api huma.API) {
	if s.cfg.Accounts != nil {
		register(s, api, huma.Operation{OperationID: "list-workspaces", Method: http.MethodGet, Path: "/api/v1/workspaces",
			Summary: "The workspaces the caller works in, with the role in each: a signed-in person's, or a token's own",
			Tags:    []string{"workspaces"}}, s.listWorkspaces)
	}
	if s.cfg.Webhooks != nil {
		register(s, api, huma.Operation{OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: "/api/v1/webhooks/{id}/deliveries",
			Summary: "A webhook's delivery log, newest first, a page at a time (never the signing secret)",
			Tags:    []string{"webhooks"}}, s.listWebhookDeliveries)
	}
}

// --- workspaces ---

type workspacesOutput struct {
	Body struct {
		Items []user.Membership `json:"items"`
	}
}

func (s *Server) listWorkspaces(ctx context.Context, _ *struct{}) (*workspacesOutput, error) {
	ms, err := s.cfg.Accounts.Workspaces(ctx, apiManager(ctx))
	if err != nil {
		return nil, userError(err, nil)
	}
	out := &workspacesOutput{}
	out.Body.Items = ms
	if ms == nil {
		out.Body.Items = []user.Membership{}
	}
	return out, nil
}

// --- webhook deliveries ---

// webhookDeliveryOut is one delivery of the log: what was sent and what became of it, not
// its body (the event's data stays in the database).
type webhookDeliveryOut struct {
	ID          int64      `json:"id" doc:"Sent with every attempt as the Clearlist-Delivery header."`
	Event       string     `json:"event"`
	CreatedAt   time.Time  `json:"created_at"`
	Attempts    int        `json:"attempts"`
	State       string     `json:"state" enum:"pending,delivered,failed" doc:"failed: every attempt failed and no more are made."`
	NextAt      *time.Time `json:"next_at,omitempty" doc:"When a pending delivery is tried next."`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	FailedAt    *time.Time `json:"failed_at,omitempty"`
	LastStatus  int        `json:"last_status,omitempty" doc:"The HTTP status of the last attempt's answer; absent when none came."`
	LastError   string     `json:"last_error,omitempty"`
}

func deliveryOut(d webhook.Delivery) webhookDeliveryOut {
	o := webhookDeliveryOut{ID: d.ID, Event: d.Event, CreatedAt: d.CreatedAt, Attempts: d.Attempts, State: "pending",
		DeliveredAt: d.DeliveredAt, FailedAt: d.FailedAt, LastStatus: d.LastStatus, LastError: d.LastError}
	switch {
	case d.DeliveredAt != nil:
		o.State = "delivered"
	case d.FailedAt != nil:
		o.State = "failed"
	default:
		next := d.NextAt
		o.NextAt = &next
	}
	return o
}

type webhookDeliveriesInput struct {
	ID     int64  `path:"id" minimum:"1"`
	Limit  int    `query:"limit" default:"100" minimum:"1" maximum:"1000" doc:"Deliveries per page."`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page; leave out for the first page."`
}

type webhookDeliveriesOutput struct {
	Body struct {
		Webhook    webhook.Webhook      `json:"webhook"`
		Items      []webhookDeliveryOut `json:"items"`
		NextCursor string               `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
	}
}

func (s *Server) listWebhookDeliveries(ctx context.Context, in *webhookDeliveriesInput) (*webhookDeliveriesOutput, error) {
	before, err := decodeCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	n := pageSize(in.Limit)
	h, ds, err := s.cfg.Webhooks.DeliveryLog(ctx, workspace(ctx), in.ID, before, n+1)
	if err != nil {
		return nil, notFound(err, "webhook %d", in.ID)
	}
	out := &webhookDeliveriesOutput{}
	if len(ds) > n {
		ds = ds[:n]
		out.Body.NextCursor = encodeCursor(ds[n-1].ID)
	}
	out.Body.Webhook, out.Body.Items = h, make([]webhookDeliveryOut, len(ds))
	for i, d := range ds {
		out.Body.Items[i] = deliveryOut(d)
	}
	return out, nil
}

package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/transactional"
	"github.com/danielgtaylor/huma/v2"
)

// transactionalRoutes registers POST /api/v1/transactional and its send log.
func (s *Server) transactionalRoutes(api huma.API) {
	tags := []string{"transactional"}
	register(s, api, huma.Operation{OperationID: "send-transactional", Method: http.MethodPost, Path: "/api/v1/transactional",
		Summary: "Send one service message at once (receipt, password reset) on the transactional stream",
		Tags:    tags, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusBadGateway}},
		s.sendTransactional)
	register(s, api, huma.Operation{OperationID: "list-transactional", Method: http.MethodGet, Path: "/api/v1/transactional",
		Summary: "The transactional send log, newest first", Tags: tags}, s.listTransactional)
}

type transactionalInput struct {
	Body struct {
		To       string `json:"to" minLength:"3" maxLength:"320" doc:"The recipient's address."`
		Template string `json:"template,omitempty" doc:"A saved template's name; or give the parts."`
		campaign.Content
		Data    map[string]any `json:"data,omitempty" doc:"Values for the template: {{.Contact.key}}, over the attributes of the workspace's contact with the address, if any."`
		Purpose string         `json:"purpose" minLength:"1" doc:"A service (not marketing) purpose of the workspace."`
	}
}

type transactionalOutput struct {
	Body transactional.Send
}

func (s *Server) sendTransactional(ctx context.Context, in *transactionalInput) (*transactionalOutput, error) {
	b := in.Body
	sent, err := s.cfg.Transactional.Send(ctx, transactional.Request{WorkspaceID: workspace(ctx), To: b.To, Template: b.Template,
		Content: b.Content, Data: b.Data, Purpose: b.Purpose})
	switch {
	case errors.Is(err, transactional.ErrRefused):
		return nil, huma.Error409Conflict(err.Error())
	case errors.Is(err, transactional.ErrInvalid):
		return nil, huma.Error422UnprocessableEntity(err.Error())
	case errors.Is(err, transactional.ErrRateLimited):
		return nil, huma.Error429TooManyRequests(err.Error())
	case err != nil && sent.ID != 0: // recorded and handed over, refused by the relay
		return nil, huma.Error502BadGateway("the relay refused the message: " + sent.Reason)
	case err != nil:
		return nil, err
	}
	return &transactionalOutput{Body: sent}, nil
}

type listTransactionalInput struct {
	Before int64 `query:"before" minimum:"0" doc:"Id to continue before (the last of the previous page)."`
	Limit  int   `query:"limit" minimum:"0" maximum:"1000" default:"100"`
}

type listTransactionalOutput struct {
	Body struct {
		Items []transactional.Send `json:"items"`
	}
}

func (s *Server) listTransactional(ctx context.Context, in *listTransactionalInput) (*listTransactionalOutput, error) {
	ss, err := s.cfg.Transactional.Sends(ctx, workspace(ctx), in.Before, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &listTransactionalOutput{}
	out.Body.Items = append([]transactional.Send{}, ss...)
	return out, nil
}

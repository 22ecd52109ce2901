package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/clearlist/clearlist/internal/signup"
)

// SnippetMaker gives the embeddable sign-up form of a workspace (signup.Service).
type SnippetMaker interface {
	Snippet(ctx context.Context, ws int64, list, lang, kind string) (signup.Snippet, error)
}

// formRoutes registers the sign-up form's snippet, for a site owner to paste into their pages.
func (s *Server) formRoutes(api huma.API) {
	if _, ok := s.cfg.DOI.(SnippetMaker); !ok {
		return
	}
	register(s, api, huma.Operation{OperationID: "form-snippet", Method: http.MethodGet, Path: "/api/v1/forms/snippet",
		Summary: "The embeddable sign-up form (HTML to paste into your site)", Tags: []string{"forms"},
		Description: "The sign-up form for the workspace's own site: the form with a short script that posts to the JSON sign-up API, " +
			"or a frame of the subscribe page. Only the origins in the workspace setting public.cors_origins may use either; " +
			"allowed_origins lists them (set them with `clearlist setting set public.cors_origins https://www.example.com`).",
		Errors: []int{http.StatusUnprocessableEntity}}, s.formSnippet)
}

type formSnippetInput struct {
	List string `query:"list" maxLength:"200" doc:"The public list a sign-up joins; empty for none."`
	Lang string `query:"lang" maxLength:"16" doc:"The language (en, fr, de, pl, zh, ar, ru); empty: English in a form, each visitor's own in a frame."`
	Kind string `query:"kind" enum:"form,frame," doc:"form (default): the form's HTML and a short script posting to the JSON sign-up API (CORS); frame: a frame of the subscribe page."`
}

type formSnippetOutput struct {
	Body signup.Snippet
}

func (s *Server) formSnippet(ctx context.Context, in *formSnippetInput) (*formSnippetOutput, error) {
	sn, err := s.cfg.DOI.(SnippetMaker).Snippet(ctx, workspace(ctx), in.List, in.Lang, in.Kind)
	var inv *signup.InvalidError
	if errors.As(err, &inv) {
		return nil, huma.Error422UnprocessableEntity(inv.Message, &huma.ErrorDetail{Location: "query." + inv.Field, Message: inv.Message})
	}
	if err != nil {
		return nil, err
	}
	if sn.Origins == nil {
		sn.Origins = []string{}
	}
	return &formSnippetOutput{Body: sn}, nil
}

package web

import (
	"context"
	"errors"
	"time"

	"github.com/clearlist/clearlist/internal/suppress"
)

type agentDNCInput struct {
	Body struct {
		Phone      string    `json:"phone,omitempty" doc:"The number the person asked not to be called on (or give email)."`
		Email      string    `json:"email,omitempty" doc:"The address the person asked not to be e-mailed at (or give phone)."`
		Agent      string    `json:"agent" minLength:"1" doc:"The agent who took the request."`
		How        string    `json:"how,omitempty" enum:"phone,email,sms,letter,in-person," doc:"How the person asked; default phone (during a call)."`
		Scope      string    `json:"scope,omitempty" doc:"Default the identifier's channel: phone (calls) for a number, email for an address; all when the person asked not to be contacted at all."`
		Note       string    `json:"note,omitempty" doc:"e.g. the campaign or call id."`
		ReceivedAt time.Time `json:"received_at,omitzero" doc:"When the person asked; default now."`
		Country    string    `json:"country,omitempty"`
	}
}

func (s *Server) agentDNC(ctx context.Context, in *agentDNCInput) (*addSuppressionsOutput, error) {
	b := in.Body
	kind, value := string(suppress.KindPhone), b.Phone
	if (b.Phone == "") == (b.Email == "") {
		return nil, invalid("body", "give the person's phone or email, one of them", nil)
	}
	if b.Email != "" {
		kind, value = string(suppress.KindEmail), b.Email
	}
	req, err := suppress.AgentRequest{Kind: kind, Value: value, How: b.How, Scope: b.Scope, By: tokenName(ctx) + "/agent:" + b.Agent,
		Note: b.Note, ReceivedAt: b.ReceivedAt, Country: b.Country}.Intake()
	if err != nil {
		return nil, invalid("body", err.Error(), value)
	}
	return s.suppressMany(ctx, []suppress.Intake{req})
}

type crmFlag struct {
	Kind         string `json:"kind,omitempty" doc:"email, domain or phone; empty guesses from value"`
	Value        string `json:"value" minLength:"1"`
	DoNotContact bool   `json:"do_not_contact" doc:"true sets the flag, false clears the CRM's own entries"`
	Scope        string `json:"scope,omitempty"`
	Note         string `json:"note,omitempty" doc:"e.g. the CRM record id"`
}

type crmFlagsInput struct {
	Body struct {
		Flags []crmFlag `json:"flags" minItems:"1" maxItems:"1000"`
	}
}

type crmFlagsOutput struct {
	Body struct {
		Added      int `json:"added"`
		Duplicates int `json:"duplicates"`
		Removed    int `json:"removed"`
	}
}

func (s *Server) crmFlags(ctx context.Context, in *crmFlagsInput) (*crmFlagsOutput, error) {
	var set []suppress.Intake
	out := &crmFlagsOutput{}
	for _, f := range in.Body.Flags {
		if f.DoNotContact {
			set = append(set, suppress.Intake{Kind: f.Kind, Value: f.Value, Scope: f.Scope, Reason: string(suppress.ReasonCRM),
				ChannelIn: suppress.InCRM, By: tokenName(ctx), Note: f.Note})
		}
	}
	if len(set) > 0 {
		added, err := s.suppressMany(ctx, set)
		if err != nil {
			return nil, err
		}
		out.Body.Added, out.Body.Duplicates = len(added.Body.Added), added.Body.Duplicates
	}
	for _, f := range in.Body.Flags {
		if f.DoNotContact {
			continue
		}
		n, err := s.cfg.Suppressions.LiftCRMFlag(ctx, workspace(ctx), f.Kind, f.Value, tokenName(ctx))
		if errors.Is(err, suppress.ErrInvalid) {
			return nil, invalid("body.flags", err.Error(), f.Value)
		}
		if err != nil {
			return nil, err
		}
		out.Body.Removed += n
	}
	return out, nil
}

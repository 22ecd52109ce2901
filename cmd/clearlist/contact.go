package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
)

// contactCmd changes one contact's fields from the command line (PATCH /api/v1/contacts/{id}
// in the API).
type contactCmd struct {
	Set contactSetCmd `cmd:"" help:"Set a contact's country or contact kind (the facts the policy reads first)."`
}

type contactSetCmd struct {
	Email       string  `required:"" help:"The contact's e-mail address."`
	Country     *string `name:"country" placeholder:"CC" help:"ISO 3166-1 two-letter country, e.g. GB; '' makes it unknown."`
	ContactKind *string `name:"contact-kind" placeholder:"K" help:"personal, sole_trader or corporate; '' makes it unknown."`
}

func (c *contactSetCmd) Run(ctx context.Context, cfg *config.Config) error {
	if c.Country == nil && c.ContactKind == nil {
		return errors.New("give --country CC and/or --contact-kind K (an empty value makes it unknown)")
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		saved, err := a.Contacts.UpdateByEmail(ctx, a.Workspace.ID, c.Email,
			contact.Change{Country: c.Country, Kind: c.ContactKind}, contact.Author{By: cliActor("")})
		if errors.Is(err, errs.ErrNotFound) {
			return fmt.Errorf("%s is not a contact of this workspace (import it first): %w", c.Email, err)
		}
		var in *contact.InputError
		if errors.As(err, &in) {
			return fmt.Errorf("--%s: %s", map[string]string{"country": "country", "contact_kind": "contact-kind"}[in.Field], in.Msg)
		}
		if err != nil {
			return err
		}
		fmt.Printf("%s: country %s, contact kind %s\n", saved.EmailCanonical, orUnknown(saved.Country), orUnknown(string(saved.Kind)))
		return nil
	})
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

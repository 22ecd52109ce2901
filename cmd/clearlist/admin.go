package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"text/tabwriter"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/policy"
)

// withApp opens clearlist for the duration of fn.
func withApp(ctx context.Context, cfg *config.Config, fn func(a *app.App) error) error {
	a, err := app.Open(ctx, *cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func table() *tabwriter.Writer { return tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0) }

type listCmd struct {
	Create struct {
		Name        string `arg:"" help:"List name."`
		Description string `help:"What the list is for."`
		Public      bool   `help:"Open the list to public sign-up (the subscribe page and API)."`
	} `cmd:"" help:"Create a list."`
	Public struct {
		Name  string `arg:"" help:"List name."`
		State string `arg:"" enum:"on,off" help:"on: anyone may sign up on the subscribe page; off: only you add people."`
	} `cmd:"" help:"Open a list to public sign-up (on) or close it (off)."`
	Ls     struct{} `cmd:"" help:"Show the lists with their member counts."`
	Delete struct {
		Name string `arg:"" help:"List name."`
	} `cmd:"" help:"Delete a list (its contacts stay)."`
}

func (l *listCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		ws := a.Workspace.ID
		switch kctx.Command() {
		case "list create <name>":
			created, err := a.Contacts.CreateList(ctx, ws, l.Create.Name, l.Create.Description, l.Create.Public)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "created list %s in workspace %s (%s)\n", created.Name, a.Workspace.Name, signupState(l.Create.Public, a.Workspace.Name))
			return nil
		case "list public <name> <state>":
			found, err := a.Contacts.ListByName(ctx, ws, l.Public.Name)
			if err != nil {
				return fmt.Errorf("list %q: %w (see `clearlist list ls`)", l.Public.Name, err)
			}
			on := l.Public.State == "on"
			if _, err = a.Contacts.SetListPublic(ctx, ws, found.ID, on); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "list %s: %s\n", found.Name, signupState(on, a.Workspace.Name))
			return nil
		case "list delete <name>":
			found, err := a.Contacts.ListByName(ctx, ws, l.Delete.Name)
			if err != nil {
				return err
			}
			if err := a.Contacts.DeleteList(ctx, ws, found.ID); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "deleted list %s (its contacts stay)\n", found.Name)
			return nil
		default:
			lists, err := a.Contacts.Lists(ctx, ws)
			if err != nil {
				return err
			}
			tw := table()
			fmt.Fprintln(tw, "NAME\tMEMBERS\tPUBLIC\tDESCRIPTION")
			for _, x := range lists {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", x.Name, x.Members, map[bool]string{true: "yes", false: "no"}[x.Public], x.Description)
			}
			return tw.Flush()
		}
	})
}

// signupState says whether the public can sign up to a list, and where.
func signupState(public bool, workspace string) string {
	if public {
		return "public: anyone may sign up at /subscribe/" + url.PathEscape(workspace)
	}
	return "private: no public sign-up; open it with `clearlist list public NAME on`"
}

type attributeCmd struct {
	Add struct {
		Name    string `arg:"" help:"Attribute name (lower case, digits, underscores)."`
		Type    string `default:"text" enum:"text,number,bool,date" help:"Value type: text, number, bool, date."`
		Purpose string `required:"" help:"Why the workspace collects it (data minimisation)."`
	} `cmd:"" help:"Declare an attribute."`
	Ls     struct{} `cmd:"" help:"Show the declared attributes."`
	Remove struct {
		Name string `arg:""`
	} `cmd:"" help:"Withdraw an attribute declaration."`
}

func (c *attributeCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		ws := a.Workspace.ID
		switch kctx.Command() {
		case "attribute add <name>":
			at := contact.Attribute{Name: c.Add.Name, Type: contact.AttrType(c.Add.Type), Purpose: c.Add.Purpose}
			if err := a.Contacts.AddAttribute(ctx, ws, at); err != nil {
				return err
			}
			fmt.Printf("declared attribute %s (%s) in workspace %s, collected for: %s\n", at.Name, at.Type, a.Workspace.Name, at.Purpose)
			return nil
		case "attribute remove <name>":
			return a.Contacts.RemoveAttribute(ctx, ws, c.Remove.Name)
		default:
			attrs, err := a.Contacts.Attributes(ctx, ws)
			if err != nil {
				return err
			}
			tw := table()
			fmt.Fprintln(tw, "NAME\tTYPE\tPURPOSE")
			for _, x := range attrs {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", x.Name, x.Type, x.Purpose)
			}
			return tw.Flush()
		}
	})
}

type tokenCmd struct {
	Create struct {
		Name string `arg:"" help:"What the token is for, e.g. crm-sync."`
		Role string `required:"" enum:"admin,compliance,marketer,agent" placeholder:"admin|compliance|marketer|agent" help:"Required; what it may do: admin and compliance everything; marketer neither lifts what a person asked for (unsubscribe, complaint, requests, erasure) nor reads the evidence behind an entry; agent (call-centre or CRM software) only check and record do-not-contact requests."`
	} `cmd:"" help:"Create an API token; the secret is shown once."`
	Ls     struct{} `cmd:"" help:"Show the tokens (never their secrets)."`
	Revoke struct {
		ID int64 `arg:"" help:"Token id (see token ls)."`
	} `cmd:"" help:"Revoke a token at once."`
}

func (c *tokenCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		ws := a.Workspace.ID
		switch kctx.Command() {
		case "token create <name>":
			_, secret, err := a.Tokens.Create(ctx, ws, c.Create.Name, c.Create.Role)
			if err != nil {
				return err
			}
			fmt.Println(secret)
			fmt.Fprintln(os.Stderr, "Keep this token secret; it is shown only once. Use it as: Authorization: Bearer <token>")
			return nil
		case "token revoke <id>":
			return a.Tokens.Revoke(ctx, ws, c.Revoke.ID)
		default:
			toks, err := a.Tokens.List(ctx, ws)
			if err != nil {
				return err
			}
			tw := table()
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tPREFIX\tCREATED\tLAST USED\tREVOKED")
			for _, t := range toks {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s…\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.Prefix, t.CreatedAt.Format("2006-01-02"),
					fmtTime(t.LastUsedAt), fmtTime(t.RevokedAt))
			}
			return tw.Flush()
		}
	})
}

type sourceTypesCmd struct {
	JSON bool `help:"Print JSON."`
}

func (c *sourceTypesCmd) Run() error {
	infos := policy.Default().Sources()
	if c.JSON {
		labels := make(map[string]string, len(infos))
		for _, i := range infos {
			labels[i.Slug] = i.Label
		}
		return json.NewEncoder(os.Stdout).Encode(labels)
	}
	tw := table()
	fmt.Fprintln(tw, "TYPE\tMARKETING\tRULE\tDESCRIPTION")
	for _, i := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", i.Slug, i.Default, i.RuleID, i.Label)
	}
	return tw.Flush()
}

type migrateCmd struct{}

func (migrateCmd) Run(ctx context.Context, cfg *config.Config) error {
	inst, err := app.OpenInstance(ctx, cfg.DB) // needs no workspace
	if err != nil {
		return err
	}
	defer inst.Close()
	fmt.Fprintf(os.Stderr, "database is up to date (%s)\n", inst.Dialect())
	return nil
}

type importsCmd struct {
	Limit int `default:"20" help:"How many to show."`
}

func (c *importsCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		ims, err := a.Imports.List(ctx, a.Workspace.ID, c.Limit)
		if err != nil {
			return err
		}
		tw := table()
		fmt.Fprintln(tw, "ID\tFILE\tSTATUS\tROWS DONE\tNEW\tUPDATED\tREJECTED\tWARNINGS\tSTARTED\tERROR")
		for _, im := range ims {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", im.ID, im.FileName, im.Status, im.RowsDone,
				im.Inserted, im.Updated, im.Failed, im.Warnings, im.CreatedAt.Format("2006-01-02 15:04"), im.Error)
		}
		return tw.Flush()
	})
}

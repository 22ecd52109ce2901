package main

import (
	"context"
	"fmt"
	"os"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
)

type workspaceCmd struct {
	Ls     struct{} `cmd:"" help:"Show the workspaces and what each holds."`
	Create struct {
		Name string `arg:"" help:"Workspace name: lower-case letters, digits, - and _."`
	} `cmd:"" help:"Create a workspace."`
	Rename struct {
		From string `arg:"" help:"Current name."`
		To   string `arg:"" help:"New name."`
	} `cmd:"" help:"Rename a workspace (API tokens and data stay with it; public page URLs change)."`
	Delete struct {
		Name  string `arg:"" help:"Workspace name."`
		Force bool   `help:"Delete a workspace that holds contacts, lists, tokens or do-not-contact entries, with all of them."`
	} `cmd:"" help:"Delete a workspace (an empty one, or with --force; never one with consent records)."`
}

func (c *workspaceCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	inst, err := app.OpenInstance(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer inst.Close()
	ws := inst.Workspaces
	switch kctx.Command() {
	case "workspace create <name>":
		w, err := ws.Create(ctx, c.Create.Name)
		if err != nil {
			return err
		}
		fmt.Printf("created workspace %s (id %d); use it with --workspace %s\n", w.Name, w.ID, w.Name)
		return nil
	case "workspace rename <from> <to>":
		if err := ws.Rename(ctx, c.Rename.From, c.Rename.To); err != nil {
			return err
		}
		fmt.Printf("renamed workspace %s to %s\n", c.Rename.From, c.Rename.To)
		return nil
	case "workspace delete <name>":
		holds, err := ws.Delete(ctx, c.Delete.Name, c.Delete.Force)
		if err != nil {
			return err
		}
		fmt.Printf("deleted workspace %s with %s\n", c.Delete.Name, holds)
		return nil
	default:
		all, err := ws.List(ctx)
		if err != nil {
			return err
		}
		tw := table()
		fmt.Fprintln(tw, "NAME\tID\tCREATED\tHOLDS")
		for _, w := range all {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", w.Name, w.ID, w.CreatedAt.Format("2006-01-02"), w.Holds)
		}
		if len(all) == 0 {
			fmt.Fprintln(os.Stderr, "no workspaces; create one with `clearlist workspace create NAME`")
		}
		return tw.Flush()
	}
}

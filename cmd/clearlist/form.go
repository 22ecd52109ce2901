package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
)

type formCmd struct {
	Snippet formSnippetCmd `cmd:"" help:"Print the sign-up form to paste into your own site (the form and a short script, or a frame)."`
}

type formSnippetCmd struct {
	List string `help:"The public list a sign-up joins (default: none)."`
	Lang string `help:"The language: en, fr, de, pl, zh, ar or ru (default: English in a form; each visitor's own in a frame)."`
	Kind string `default:"form" enum:"form,frame" help:"form: the form's HTML and a short script that posts to the JSON sign-up API; frame: a frame of the subscribe page."`
	URL  string `name:"url" placeholder:"https://lists.example.com" help:"The server's address as people reach it (default: --public-url)."`
	JSON bool   `help:"Print JSON: kind, html, url, lang, allowed_origins."`
}

func (c *formSnippetCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		a.Signups.PublicURL = cmp.Or(c.URL, a.Signups.PublicURL)
		sn, err := a.Signups.Snippet(ctx, a.Workspace.ID, c.List, c.Lang, c.Kind)
		if err != nil {
			return err
		}
		if c.JSON {
			if sn.Origins == nil {
				sn.Origins = []string{}
			}
			return json.NewEncoder(os.Stdout).Encode(sn)
		}
		fmt.Println(sn.HTML)
		if len(sn.Origins) == 0 {
			fmt.Fprintln(os.Stderr, "note: no site may use this form yet: allow yours with `clearlist setting set public.cors_origins https://www.example.com`")
		} else {
			fmt.Fprintf(os.Stderr, "shown on: %s (public.cors_origins); the page itself: %s\n", strings.Join(sn.Origins, ", "), sn.URL)
		}
		return nil
	})
}

package main

import (
	"context"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
)

type serveCmd struct {
	Addr string `default:"127.0.0.1:8080" env:"CLEARLIST_ADDR" help:"Address to listen on."`
}

func (c *serveCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error { return a.Serve(ctx, c.Addr) })
}

type benchCmd struct {
	Import      benchImportCmd      `cmd:"" help:"Import N generated rows (e-mail + 9 attributes) and compare with a plain bulk insert."`
	Eligibility benchEligibilityCmd `cmd:"" help:"Latency of the eligibility API under open-loop load, against a bare net/http handler."`
	Check       benchCheckCmd       `cmd:"" help:"Latency of the do-not-contact check API with millions of entries, against a bare net/http handler."`
	Load        benchLoadCmd        `cmd:"" hidden:"" help:"Send open-loop load to a target file (the child process of bench eligibility)."`
}

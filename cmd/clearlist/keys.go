package main

import (
	"context"
	"fmt"
	"os"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/keywrap"
	"github.com/clearlist/clearlist/internal/privfile"
)

type keysCmd struct {
	Generate struct {
		File string `arg:"" optional:"" type:"path" help:"Write the key to this new file (mode 0600) instead of standard output."`
	} `cmd:"" help:"Make a new secret key (64 hex digits) for --secret-key-file or CLEARLIST_SECRET_KEY."`
	Status struct{} `cmd:"" help:"Show which stored keys (link-signing, do-not-contact hash, webhook secrets) are wrapped."`
	Wrap   struct{} `cmd:"" help:"Wrap every stored key still in clear with the secret key given (stop serve first)."`
	Unwrap struct{} `cmd:"" help:"Store every key in clear again (to change the secret key: unwrap with the old, wrap with the new)."`
}

func (c *keysCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	if kctx.Command() == "keys generate" || kctx.Command() == "keys generate <file>" {
		return generateKey(c.Generate.File)
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		switch kctx.Command() {
		case "keys wrap":
			n, err := a.Keys.Wrap(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "%d stored keys wrapped; from now on give the same secret key to every clearlist command, and keep a copy of it apart from the database's backups\n", n)
			return nil
		case "keys unwrap":
			n, err := a.Keys.Unwrap(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "%d stored keys are in clear again\n", n)
			return nil
		default:
			return keysStatus(ctx, a)
		}
	})
}

func keysStatus(ctx context.Context, a *app.App) error {
	status, err := a.Keys.Status(ctx)
	if err != nil {
		return err
	}
	secs, wrapped, key := status.Secrets, status.Wrapped, status.Key
	tw := table()
	fmt.Fprintln(tw, "KIND\tWORKSPACE\tNAME\tSTATE")
	for _, s := range secs {
		state := "CLEAR"
		if s.Wrapped {
			state = "wrapped (key " + s.KeyID + ")"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", s.Kind, s.Workspace, s.Name, state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch {
	case len(secs) == 0:
		fmt.Fprintln(os.Stderr, "no keys are stored yet; they are made on first use, wrapped when a secret key is given")
	case key == nil && wrapped < len(secs):
		fmt.Fprintf(os.Stderr, "%d of %d stored keys are in clear and no secret key is given: see `clearlist keys --help`\n", len(secs)-wrapped, len(secs))
	case key == nil:
		fmt.Fprintf(os.Stderr, "%d stored keys, none wrapped; no secret key is given\n", len(secs))
	case wrapped < len(secs):
		fmt.Fprintf(os.Stderr, "%d of %d stored keys are in clear: run `clearlist keys wrap` with the secret key %s\n", len(secs)-wrapped, len(secs), key.ID())
	default:
		fmt.Fprintf(os.Stderr, "all %d stored keys are wrapped with the secret key given (%s)\n", len(secs), key.ID())
	}
	return nil
}

func generateKey(file string) error {
	text, err := keywrap.Generate()
	if err != nil {
		return err
	}
	if file == "" {
		fmt.Println(text)
		return nil
	}
	f, err := privfile.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return fmt.Errorf("write the key: %w (an existing key file is never overwritten)", err)
	}
	if _, err := fmt.Fprintln(f, text); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "secret key written to %s; keep a copy apart from the database's backups: without it a wrapped database cannot be opened\n", file)
	return nil
}

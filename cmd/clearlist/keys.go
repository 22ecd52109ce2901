package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/campaign"
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
	Dkim   struct {
		Generate struct {
			Domain    string `required:"" help:"The signing domain (d=), the From domain or a parent of it."`
			Selector  string `required:"" help:"The selector (s=): the key is published at SELECTOR._domainkey.DOMAIN."`
			Algorithm string `default:"rsa" enum:"rsa,ed25519" help:"rsa (2048 bits, what every receiver checks) or ed25519 (a second signature)."`
		} `cmd:"" help:"Make the workspace's DKIM key (replacing the one of that algorithm) and print the DNS TXT record to publish."`
		Show struct{} `cmd:"" help:"Show the workspace's DKIM keys and the DNS TXT records to publish."`
	} `cmd:"" name:"dkim" help:"The workspace's DKIM signing keys (stored like the other keys, wrapped with the secret key when given)."`
}

func (c *keysCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	if kctx.Command() == "keys generate" || kctx.Command() == "keys generate <file>" {
		return generateKey(c.Generate.File)
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		switch kctx.Command() {
		case "keys dkim generate":
			g := c.Dkim.Generate
			k, err := a.DKIM.Generate(ctx, a.Workspace.ID, g.Domain, g.Selector, g.Algorithm)
			if err != nil {
				return err
			}
			printDKIM([]campaign.DKIMKeyInfo{k})
			fmt.Fprintf(os.Stderr, "publish the TXT record above, then check it with `clearlist campaign preflight ID`\n")
			return nil
		case "keys dkim show":
			keys, err := a.DKIM.Keys(ctx, a.Workspace.ID)
			if err != nil {
				return err
			}
			if len(keys) == 0 {
				fmt.Fprintln(os.Stderr, "no DKIM key yet: clearlist keys dkim generate --domain example.com --selector cl1")
			}
			printDKIM(keys)
			return nil
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

// printDKIM prints each key's record in zone-file form, ready to paste.
func printDKIM(keys []campaign.DKIMKeyInfo) {
	for _, k := range keys {
		fmt.Printf("; %s key of %s, selector %s\n%s. IN TXT %s\n", k.Algorithm, k.Domain, k.Selector, k.RecordName, txtQuote(k.Record))
	}
}

// txtQuote splits a TXT value into quoted strings of at most 255 bytes (RFC 1035).
func txtQuote(v string) string {
	var parts []string
	for len(v) > 255 {
		parts, v = append(parts, `"`+v[:255]+`"`), v[255:]
	}
	return strings.Join(append(parts, `"`+v+`"`), " ")
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

// Command clearlist is the consent-first contact list and outreach platform: one binary
// for the server, the imports and every administrative task.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/config"
)

// cli is the whole command line; each command is a struct with a Run method.
type cli struct {
	config.Config
	ConfigFile kong.ConfigFlag `name:"config" help:"Optional JSON file with settings (keys as the long flag names)."`

	Serve       serveCmd       `cmd:"" help:"Run the HTTP server (API, health, metrics)."`
	Import      importGroup    `cmd:"" help:"Import contacts from a CSV or JSON-lines file (clearlist import FILE); cancel an import."`
	Imports     importsCmd     `cmd:"" help:"Show recent imports (ids for --resume)."`
	Export      exportCmd      `cmd:"" help:"Export contacts as CSV or JSON lines."`
	List        listCmd        `cmd:"" help:"Manage lists."`
	Workspaces  workspaceCmd   `cmd:"" name:"workspace" help:"Manage workspaces (data controllers): ls, create, rename, delete."`
	Attribute   attributeCmd   `cmd:"" help:"Declare the attributes the workspace collects, and why."`
	Contact     contactCmd     `cmd:"" help:"Change one contact: its country and contact kind."`
	Token       tokenCmd       `cmd:"" help:"Manage API tokens."`
	User        userCmd        `cmd:"" help:"People who sign in to the admin UI: add, ls, passwd, disable, role, totp."`
	Consent     consentCmd     `cmd:"" help:"The consent ledger: record, show and verify consent."`
	DOI         doiCmd         `cmd:"" name:"doi" help:"Double opt-in sign-ups: expire unconfirmed ones, list those awaiting a welcome."`
	SourceTypes sourceTypesCmd `cmd:"" name:"source-types" help:"Show the source types an import or API write can name."`
	Suppress    suppressCmd    `cmd:"" help:"The do-not-contact list: one list across e-mail, phone and SMS, screened everywhere."`
	CallList    callListCmd    `cmd:"" name:"calllist" help:"Write the numbers of a list that may be called now: screened, within local calling hours."`
	Webhook     webhookCmd     `cmd:"" help:"Outgoing webhooks: tell a CRM of every change to the do-not-contact list."`
	Campaign    campaignCmd    `cmd:"" help:"E-mail campaigns: create, preflight, start, pause, resume, cancel, report, retry, test."`
	Template    templateCmd    `cmd:"" help:"Saved message templates for campaigns: add, ls, show."`
	Verify      verifyCmd      `cmd:"" help:"Check addresses: syntax, domain, disposable/role/free, typos, optionally the mailbox (exit 1 on error)."`
	Setting     settingCmd     `cmd:"" help:"Workspace settings (e.g. verify.exclude_risky)."`
	Audit       auditCmd       `cmd:"" help:"The audit trail: who changed what, when (ls, verify)."`
	Migrate     migrateCmd     `cmd:"" help:"Run database migrations (every command also does this on start)."`
	Jobs        jobsCmd        `cmd:"" help:"Background jobs (River): ls, show, retry, cancel, run."`
	Keys        keysCmd        `cmd:"" help:"The secret key that wraps the keys stored in the database: generate, status, wrap, unwrap."`
	Bench       benchCmd       `cmd:"" help:"Measure performance on this machine."`
	Bounce      bounceCmd      `cmd:"" help:"What mail systems send back: parse and ingest bounces, complaints and replies; delivery events; replies to review."`
	Eligibility eligibilityCmd `embed:""`

	Transactional transactionalCmd `cmd:"" help:"Service messages sent at once on their own stream: send, log."`
	Form          formCmd          `cmd:"" help:"The public sign-up form: the snippet to paste into your site."`
}

func main() {
	var c cli
	parser := kong.Must(&c,
		kong.Name("clearlist"),
		kong.Description("Consent-first contact lists: every contact can say where it came from and why it may be contacted."),
		kong.ShortUsageOnError(),
		kong.Configuration(envFirstJSON),
	)
	kctx, err := parser.Parse(os.Args[1:])
	if err != nil {
		// The usage shown for a mistake goes to stderr, so that it never lands in a file
		// the user redirected stdout to (e.g. an export).
		parser.Stdout = os.Stderr
		parser.FatalIfErrorf(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = audit.WithActor(ctx, auditCLIActor(commandName(kctx))) // serve sets its own
	kctx.BindTo(ctx, (*context.Context)(nil))
	if err := kctx.Run(&c.Config); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "clearlist: interrupted")
			os.Exit(130)
		}
		fmt.Fprintln(os.Stderr, "clearlist:", err)
		os.Exit(1)
	}
}

type kongContext = kong.Context

// commandName is the command line's command as the user writes it: kctx.Command() without
// the name of a group's default command ("import <file>", not "import run <file>").
func commandName(kctx *kong.Context) string {
	cmd := kctx.Command()
	if n := kctx.Selected(); n != nil && n.Parent != nil && n.Parent.DefaultCmd == n {
		cmd = strings.Replace(cmd, n.Parent.Name+" "+n.Name, n.Parent.Name, 1)
	}
	return cmd
}

// envFirstJSON reads the --config file, whose values yield to CLEARLIST_* variables: kong
// treats variables as defaults, which a configuration file would otherwise override.
func envFirstJSON(r io.Reader) (kong.Resolver, error) {
	res, err := kong.JSON(r)
	return envFirst{res}, err
}

type envFirst struct{ kong.Resolver }

func (e envFirst) Resolve(ctx *kong.Context, parent *kong.Path, flag *kong.Flag) (any, error) {
	for _, name := range flag.Envs {
		if _, set := os.LookupEnv(name); set {
			return nil, nil
		}
	}
	return e.Resolver.Resolve(ctx, parent, flag)
}

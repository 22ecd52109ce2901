package main

import (
	"database/sql"
	"os/user"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// cliStep runs one command line and says which audit entries it must leave (oldest first);
// a step without want is read-only and must leave none.
type cliStep struct {
	cmd  string // the command as kong names it, without arguments: "list create"
	args []string
	want []string
	code int  // the exit status expected (0 unless said)
	key  bool // needs the secret key (the stored keys are wrapped from keys wrap on)
}

// cliNotAudited are the commands that change something that is not the workspace's data,
// and so write no audit entry, each with the reason; and the commands the test does not run.
var cliNotAudited = map[string]string{
	"serve":             "a long-running server: every route it serves is driven by app.TestAuditEveryRoute",
	"bench import":      "works in a scratch database it drops",
	"bench eligibility": "works in a scratch database it drops",
	"bench check":       "works in a scratch database it drops",
	"bench send":        "works in a scratch database it drops",
	"bench bounce":      "works in a scratch database it drops",
	"bench ui":          "works in a scratch database it drops",
	"bench sink":        "an SMTP server that discards what it receives; writes nothing",
	"bench load":        "sends requests to a server given by URL; writes nothing itself",
	"bounce parse":      "reads message files and prints; opens no database",
	"user totp":         "interactive (types the code of the key it prints): TestCLIUserTOTP checks its user.totp_enrol entry",
}

// cliSteps is the scenario: every leaf command of the CLI at least once, in an order where
// each finds what it needs (ids are the first ones of a fresh database).
func cliSteps(e *cliEnv) []cliStep {
	contacts := e.file("contacts.csv", "email,phone\nann@example.com,+4930123456\nbob@example.org,\n")
	dnc := e.file("dnc.csv", "email,reason\nfoo@bar.example,unsubscribe\nbaz@bar.example,manual\n")
	screen := e.file("screen.csv", "email\nann@example.com\nfoo@bar.example\n")
	page := e.file("welcome.html", "<p>Hello {{.Contact.first_name}}</p>")
	pw := e.file("password.txt", "a long enough passphrase\n")
	return []cliStep{
		{cmd: "migrate", args: []string{"migrate"}},
		{cmd: "source-types", args: []string{"source-types"}},
		{cmd: "workspace ls", args: []string{"workspace", "ls"}},
		{cmd: "workspace create", args: []string{"workspace", "create", "acme"}, want: []string{"workspace.create"}},
		{cmd: "workspace rename", args: []string{"workspace", "rename", "acme", "acme2"}, want: []string{"workspace.rename"}},
		{cmd: "workspace delete", args: []string{"workspace", "delete", "acme2"}, want: []string{"workspace.delete"}},
		{cmd: "attribute add", args: []string{"attribute", "add", "company", "--purpose", "B2B accounts"}, want: []string{"attribute.add"}},
		{cmd: "attribute ls", args: []string{"attribute", "ls"}},
		{cmd: "attribute remove", args: []string{"attribute", "remove", "company"}, want: []string{"attribute.remove"}},
		{cmd: "list create", args: []string{"list", "create", "news"}, want: []string{"list.create"}},
		{cmd: "list public", args: []string{"list", "public", "news", "on"}, want: []string{"list.public"}},
		{cmd: "list ls", args: []string{"list", "ls"}},
		{cmd: "form snippet", args: []string{"form", "snippet", "--list", "news", "--lang", "ar", "--url", "https://lists.example.com"}},
		{cmd: "list create", args: []string{"list", "create", "old"}, want: []string{"list.create"}},
		{cmd: "list delete", args: []string{"list", "delete", "old"}, want: []string{"list.delete"}},
		{cmd: "token create", args: []string{"token", "create", "crm", "--role", "marketer"}, want: []string{"token.create"}},
		{cmd: "user add", args: []string{"user", "add", "owner@example.com", "--role", "owner", "--password-file", pw}, want: []string{"user.add", "user.role"}},
		{cmd: "user ls", args: []string{"user", "ls"}},
		{cmd: "user passwd", args: []string{"user", "passwd", "owner@example.com", "--password-file", pw}, want: []string{"user.passwd"}},
		{cmd: "user role", args: []string{"user", "role", "owner@example.com", "read-only"}, want: []string{"user.role"}},
		{cmd: "user disable", args: []string{"user", "disable", "owner@example.com"}, want: []string{"user.disable"}},
		{cmd: "token ls", args: []string{"token", "ls"}},
		{cmd: "token revoke", args: []string{"token", "revoke", "1"}, want: []string{"token.revoke"}},
		// An import is one entry with its counts (its source is named in it).
		{cmd: "import", args: []string{"import", contacts, "--list", "news", "--source-type", "api"}, want: []string{"import.finish"}},
		// Import 1 has finished: refused, nothing written; the contract suite's ImportCancel and
		// the imports tests have the cancel's write and its import.cancel entry.
		{cmd: "import cancel", args: []string{"import", "cancel", "1"}, code: 1},
		{cmd: "imports", args: []string{"imports"}},
		{cmd: "contact set", args: []string{"contact", "set", "--email", "ann@example.com", "--country", "GB", "--contact-kind", "corporate"},
			want: []string{"contact.update"}},
		{cmd: "export", args: []string{"export"}},
		{cmd: "consent purposes", args: []string{"consent", "purposes"}},
		{cmd: "consent purpose-add", args: []string{"consent", "purpose-add", "webinars", "--description", "invitations"}, want: []string{"purpose.add"}},
		{cmd: "consent stale", args: []string{"consent", "stale", "--days", "0"}},
		{cmd: "consent purpose add", args: []string{"consent", "purpose", "add", "gadgets", "--similar-products"}, want: []string{"purpose.add"}},
		{cmd: "consent add", args: []string{"consent", "add", "--email", "ann@example.com", "--purpose", "newsletter", "--action", "withdrawn",
			"--at", "2026-12-01T10:00:00Z"}, want: []string{"consent.append"}},
		{cmd: "consent show", args: []string{"consent", "show", "--email", "ann@example.com"}},
		{cmd: "consent verify", args: []string{"consent", "verify"}},
		{cmd: "consent lapse", args: []string{"consent", "lapse"}}, // nothing has lapsed: nothing written
		{cmd: "doi expire", args: []string{"doi", "expire"}},       // nothing open: nothing written
		{cmd: "doi stale", args: []string{"doi", "stale"}},
		{cmd: "doi welcomed", args: []string{"doi", "welcomed", "1"}, code: 1}, // no such sign-up; the contract suite's AuditCoverage has the write
		{cmd: "doi resend", args: []string{"doi", "resend", "1"}, code: 1},     // no such sign-up; the contract suite's AuditCoverage has signup.renew
		{cmd: "suppress rules", args: []string{"suppress", "rules"}},
		{cmd: "suppress add", args: []string{"suppress", "add", "x@example.com", "--reason", "manual"}, want: []string{"suppression.add"}},
		{cmd: "suppress check", args: []string{"suppress", "check", "y@example.com"}},
		{cmd: "suppress ls", args: []string{"suppress", "ls"}},
		{cmd: "suppress remove", args: []string{"suppress", "remove", "1", "--why", "recorded against the wrong person"}, want: []string{"suppression.remove"}},
		{cmd: "suppress import", args: []string{"suppress", "import", dnc}, want: []string{"suppression.add"}},
		{cmd: "suppress export", args: []string{"suppress", "export"}},
		{cmd: "suppress screen", args: []string{"suppress", "screen", screen}},
		{cmd: "suppress audit", args: []string{"suppress", "audit"}},
		// Two changes in one transaction (the erasure request, then the erasing of the stored
		// values): one entry each.
		{cmd: "suppress erase", args: []string{"suppress", "erase", "foo@bar.example"}, want: []string{"suppression.add", "suppression.erase"}},
		{cmd: "calllist", args: []string{"calllist", "--list", "news"}},
		{cmd: "webhook add", args: []string{"webhook", "add", "https://crm.example.com/hook"}, want: []string{"webhook.create"}},
		{cmd: "webhook ls", args: []string{"webhook", "ls"}},
		{cmd: "webhook log", args: []string{"webhook", "log", "1"}},
		{cmd: "webhook disable", args: []string{"webhook", "disable", "1"}, want: []string{"webhook.disable"}},
		// Addresses given on the command line are not recorded; a list's are.
		{cmd: "verify", args: []string{"verify", "--offline", "someone@example.com"}},
		{cmd: "verify", args: []string{"verify", "--offline", "--list", "news"}, want: []string{"verification.save"}},
		{cmd: "setting ls", args: []string{"setting", "ls"}},
		{cmd: "setting set", args: []string{"setting", "set", "verify.exclude_risky", "true"}, want: []string{"setting.set"}},
		// A campaign's footer needs the sender identity and postal address before it starts.
		{cmd: "setting set", args: []string{"setting", "set", "sender.name", "Example Ltd"}, want: []string{"setting.set"}},
		{cmd: "setting set", args: []string{"setting", "set", "sender.postal_address", "1 High St, London"}, want: []string{"setting.set"}},
		{cmd: "check", args: []string{"check", "--email", "bob@example.org", "--purpose", "newsletter"}, code: exitRefused},
		{cmd: "lia set", args: []string{"lia", "set", "--purpose", "product-updates", "--purpose-text", "tools for buyers",
			"--necessity", "they choose tools", "--balancing", "low intrusion", "--approved-by", "DPO"}, want: []string{"lia.set"}},
		{cmd: "lia ls", args: []string{"lia", "ls"}},
		{cmd: "li-reason set", args: []string{"li-reason", "set", "--email", "bob@example.org", "--purpose", "product-updates",
			"--reason", "buyer at ACME"}, want: []string{"li_reason.set"}},
		{cmd: "jobs ls", args: []string{"jobs", "ls"}},
		{cmd: "jobs show", args: []string{"jobs", "show", "1"}, code: 1}, // no job yet
		{cmd: "jobs run", args: []string{"jobs", "run", "doi_expiry"}, want: []string{"job.run"}},
		{cmd: "jobs cancel", args: []string{"jobs", "cancel", "1"}, want: []string{"job.cancel"}},
		{cmd: "jobs retry", args: []string{"jobs", "retry", "1"}, want: []string{"job.retry"}},
		{cmd: "audit ls", args: []string{"audit", "ls"}},
		{cmd: "audit verify", args: []string{"audit", "verify"}},
		{cmd: "audit prune", args: []string{"audit", "prune", "--days", "1"}}, // nothing a day old: nothing written
		{cmd: "template add", args: []string{"template", "add", "welcome", "--subject", "Hi {{.Contact.first_name}}", "--html", page},
			want: []string{"template.create"}},
		{cmd: "template ls", args: []string{"template", "ls"}},
		{cmd: "template show", args: []string{"template", "show", "welcome"}},
		{cmd: "campaign create", args: []string{"campaign", "create", "spring", "--purpose", "newsletter", "--list", "news",
			"--from", "News <news@example.com>", "--template", "welcome", "--ab-subject", "Hi, B", "--ab-sample", "50",
			"--ab-metric", "clicks", "--ab-wait", "4h", "--track-opens", "off"}, want: []string{"campaign.create"}},
		{cmd: "campaign ls", args: []string{"campaign", "ls"}},
		{cmd: "campaign show", args: []string{"campaign", "show", "1"}},
		{cmd: "campaign preflight", args: []string{"campaign", "preflight", "1"}},
		{cmd: "campaign preflight", args: []string{"campaign", "preflight", "1", "--format", "json"}},
		{cmd: "campaign create", args: []string{"campaign", "create", "winter", "--purpose", "newsletter", "--list", "news",
			"--from", "News <news@example.com>", "--template", "welcome"}, want: []string{"campaign.create"}},
		{cmd: "campaign schedule", args: []string{"campaign", "schedule", "2", "--at", "2030-01-01T09:00:00Z"}, want: []string{"campaign.schedule"}},
		{cmd: "campaign test", args: []string{"campaign", "test", "1", "--to", "me@example.com"}}, // to the outbox; writes nothing
		{cmd: "campaign start", args: []string{"campaign", "start", "1"}, code: 1},                // nobody has consent: refused, nothing written
		{cmd: "consent add", args: []string{"consent", "add", "--email", "bob@example.org", "--purpose", "newsletter", "--action", "granted",
			"--wording", "Send me the newsletter", "--at", "2026-12-01T10:00:00Z"}, want: []string{"consent.append"}},
		{cmd: "campaign start", args: []string{"campaign", "start", "1"}, want: []string{"campaign.start"}},
		{cmd: "campaign pause", args: []string{"campaign", "pause", "1", "--reason", "check the copy"}, want: []string{"campaign.pause"}},
		{cmd: "campaign resume", args: []string{"campaign", "resume", "1"}, want: []string{"campaign.resume"}},
		{cmd: "campaign ab pick", args: []string{"campaign", "ab", "pick", "1", "--variant", "B"}, want: []string{"campaign.ab-decided"}},
		{cmd: "campaign report", args: []string{"campaign", "report", "1"}},
		{cmd: "campaign report", args: []string{"campaign", "report", "1", "--excluded", "--format", "csv"}},
		{cmd: "campaign report", args: []string{"campaign", "report", "1", "--by", "domain"}},
		{cmd: "campaign report", args: []string{"campaign", "report", "1", "--by", "hour", "--format", "jsonl"}},
		{cmd: "campaign report", args: []string{"campaign", "report", "1", "--bucket", "queued", "--format", "jsonl"}},
		{cmd: "campaign report", args: []string{"campaign", "report", "1", "--bucket", "opened"}, code: 1}, // aggregate tracking: refused
		{cmd: "campaign retry", args: []string{"campaign", "retry", "1", "--failed"}},                      // nothing failed: nothing written
		{cmd: "campaign cancel", args: []string{"campaign", "cancel", "1"}, want: []string{"campaign.cancel"}},
		{cmd: "transactional send", args: []string{"transactional", "send", "--to", "ann@example.com", "--purpose", "newsletter",
			"--subject", "Hi", "--text", page}, code: 1}, // marketing purpose: refused, nothing written
		{cmd: "setting set", args: []string{"setting", "set", "transactional.from", "Shop <orders@example.com>"}, want: []string{"setting.set"}},
		{cmd: "transactional send", args: []string{"transactional", "send", "--to", "ann@example.com", "--purpose", "security-notices",
			"--template", "welcome", "--data", "first_name=Ann"}, want: []string{"transactional.send"}},
		{cmd: "transactional log", args: []string{"transactional", "log"}},
		// A message that is not one of ours (no VERP, no Message-ID we sent) is kept for
		// bounce.keep_days and changes nothing a person asked for: no audit entry.
		{cmd: "bounce ingest", args: []string{"bounce", "ingest", e.file("dsn.eml", "Subject: Undelivered\n\nno such user\n")}},
		{cmd: "bounce events", args: []string{"bounce", "events", "--campaign", "1"}},
		{cmd: "bounce reviews", args: []string{"bounce", "reviews", "--all"}},
		// No reply is queued in this scenario: refused, nothing written; the bounce service
		// tests and the contract suite's Bounce have the decision's write and audit entry.
		{cmd: "bounce review", args: []string{"bounce", "review", "1", "--stop"}, code: 1},
		{cmd: "keys generate", args: []string{"keys", "generate", e.dir + "/key"}},
		{cmd: "keys status", args: []string{"keys", "status"}},
		{cmd: "keys dkim generate", args: []string{"keys", "dkim", "generate", "--domain", "example.com", "--selector", "cl1",
			"--algorithm", "ed25519"}, want: []string{"dkim.generate"}},
		{cmd: "keys dkim show", args: []string{"keys", "dkim", "show"}},
		{cmd: "keys wrap", args: []string{"keys", "wrap"}, want: []string{"keys.wrap"}, key: true},
		{cmd: "keys unwrap", args: []string{"keys", "unwrap"}, want: []string{"keys.unwrap"}, key: true},
	}
}

// cliLeaves returns every command of the CLI that runs something ("list create", "check"),
// read from the kong model, so a command added later is found here.
func cliLeaves(t *testing.T) []string {
	t.Helper()
	var c cli
	p, err := kong.New(&c, kong.Name("clearlist"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		leaf := true
		for _, ch := range n.Children {
			if ch.Type == kong.CommandNode {
				leaf = false
				walk(ch)
			}
		}
		if leaf && n.Type == kong.CommandNode {
			path := strings.TrimPrefix(n.FullPath(), "clearlist ")
			if n.Parent != nil && n.Parent.DefaultCmd == n { // "import", not "import run"
				path = strings.TrimSuffix(path, " "+n.Name)
			}
			out = append(out, path)
		}
	}
	walk(p.Model.Node)
	return out
}

type cliEntry struct{ action, kind, id, name string }

// TestCLIAuditEveryCommand runs every command of the CLI (the leaves of the kong model)
// against a SQLite database and checks the audit trail after each: a changing command
// leaves exactly its entries, by the CLI user and that command; a read-only one leaves none.
// A command with no step and no reason in cliNotAudited fails the test by name.
func TestCLIAuditEveryCommand(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	steps := cliSteps(e)
	leaves := cliLeaves(t)
	if len(leaves) < 50 {
		t.Fatalf("the kong model has %d commands: %v", len(leaves), leaves)
	}
	for _, l := range leaves {
		_, skip := cliNotAudited[l]
		if !skip && !slices.ContainsFunc(steps, func(s cliStep) bool { return s.cmd == l }) {
			t.Errorf("command %q has no step in cliSteps (cmd/clearlist/audit_complete_test.go): add one naming the audit "+
				"entries it writes (none for a read-only command), or its reason in cliNotAudited", l)
		}
	}
	for _, s := range steps {
		if !slices.Contains(leaves, s.cmd) {
			t.Errorf("step for %q, which is not a command", s.cmd)
		}
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	e.ok("migrate") // the first run creates the default workspace, as the system
	e.ok("keys", "generate", e.dir+"/wrap.key")
	for _, s := range steps {
		before := cliEntries(t, e.db)
		args := s.args
		if s.key {
			args = append([]string{"--secret-key-file", e.dir + "/wrap.key"}, args...)
		}
		r := e.run(args...)
		if r.code != s.code {
			t.Errorf("clearlist %s: exit %d, want %d\n%s%s", strings.Join(s.args, " "), r.code, s.code, r.stdout, r.stderr)
			continue
		}
		fresh := cliEntries(t, e.db)[len(before):]
		var actions []string
		for _, en := range fresh {
			actions = append(actions, en.action)
			if en.kind != "cli" || en.id != u.Username || !strings.HasPrefix(en.name, "clearlist "+s.cmd) {
				t.Errorf("clearlist %s: entry %s by %s %s (%s), want the CLI user %s and the command", s.cmd, en.action,
					en.kind, en.id, en.name, u.Username)
			}
		}
		if !slices.Equal(actions, s.want) {
			t.Errorf("clearlist %s wrote the audit entries %v, want %v", strings.Join(s.args, " "), actions, s.want)
		}
	}
	if r := e.run("audit", "verify"); r.code != 0 {
		t.Errorf("audit verify after every command: %s%s", r.stdout, r.stderr)
	}
}

// cliEntries reads every workspace's audit entries in the order they were written.
func cliEntries(t *testing.T, dsn string) []cliEntry {
	t.Helper()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT action, actor_kind, actor_id, actor_name FROM audit_entries ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []cliEntry
	for rows.Next() {
		var en cliEntry
		if err := rows.Scan(&en.action, &en.kind, &en.id, &en.name); err != nil {
			t.Fatal(err)
		}
		out = append(out, en)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

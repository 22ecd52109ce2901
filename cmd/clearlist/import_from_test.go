package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestCLIImportFromSenders imports other senders' exports (import --from) on both engines:
// Mailchimp's subscribed file gives contacts with granted and confirmed consents, its
// unsubscribed and cleaned files do-not-contact entries with their original dates, a
// listmonk export all three; each summary lists the columns not taken in.
func TestCLIImportFromSenders(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testImportFromSenders(t, newCLI(t, ""))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testImportFromSenders(t, newCLI(t, storetest.PostgresDSN(t)))
	})
}

// senderFile copies a sample export into the environment's folder.
func (e *cliEnv) senderFile(name string) string {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "senders", name))
	if err != nil {
		e.t.Fatal(err)
	}
	return e.file(name, string(b))
}

func leftover(s *contact.SenderSummary, col string) int {
	for _, c := range s.Leftover {
		if c.Column == col {
			return c.Values
		}
	}
	return 0
}

func testImportFromSenders(t *testing.T, e *cliEnv) {
	common := []string{"--source-type", "web-form-double-opt-in", "--consent-purpose", "newsletter", "--drop-undeclared",
		"--evidence", "wording=Yes, send me the monthly newsletter"}

	// A plain import of an export says to use --from.
	sub := e.senderFile("mailchimp_subscribed.csv")
	e.fails(1, "--from mailchimp", "import", sub, "--source-type", "web-form-double-opt-in")
	e.fails(1, "--from listmonk", "import", sub, "--from", "mailchimp", "--list-status", "confirmed", "--source-type", "api")
	e.fails(1, "--evidence wording=", "import", sub, "--from", "mailchimp", "--source-type", "api", "--consent-purpose", "newsletter")
	e.fails(1, "unknown sender", "import", sub, "--from", "constantcontact", "--source-type", "api")

	sum := e.importJSON(append([]string{sub, "--from", "mailchimp"}, common...)...)
	s := sum.Sender
	if s == nil || s.Format != "mailchimp" || s.Kind != "subscribed" || sum.Inserted != 5 || sum.Failed != 0 {
		t.Fatalf("subscribed: %+v %+v", sum, s)
	}
	if sum.Consents < 3 || s.WithConsent < 3 || s.NoEvidence < 1 {
		t.Errorf("consents: %d entries, sender %+v", sum.Consents, s)
	}
	if leftover(s, "MEMBER_RATING") != 5 || leftover(s, "TAGS") != 1 || leftover(s, "NOTES") != 1 {
		t.Errorf("leftover: %+v", s.Leftover)
	}
	if !slices.Contains(sum.Dropped, "Phone Number") && !slices.Contains(sum.Dropped, "Address") && len(sum.Dropped) == 0 {
		t.Errorf("dropped: %v", sum.Dropped)
	}
	e.ok("check", "--email", "ana.garcia@example.com", "--purpose", "newsletter")
	e.ok("check", "--email", "li.wei@example.cn", "--purpose", "newsletter")
	if r := e.run("check", "--email", "imported@example.com", "--purpose", "newsletter"); r.code != exitRefused {
		t.Errorf("a contact without sign-up evidence: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Unsubscribed and cleaned files: do-not-contact entries dated as Mailchimp recorded them.
	r := e.ok(append([]string{"import", e.senderFile("mailchimp_unsubscribed.csv"), "--from", "mailchimp"}, common...)...)
	for _, want := range []string{"from mailchimp", "unsubscribed export", "do-not-contact entries (unsubscribe)",
		"not taken in: MEMBER_RATING (2 values)", "do-not-contact list: 2 entries added"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("unsubscribed summary lacks %q:\n%s", want, r.stdout)
		}
	}
	sum = e.importJSON(append([]string{e.senderFile("mailchimp_cleaned.csv"), "--from", "mailchimp"}, common...)...)
	if s := sum.Sender; s == nil || s.Kind != "cleaned" || s.DoNotContact["hard-bounce"] != 1 || s.Added != 1 {
		t.Errorf("cleaned: %+v", sum.Sender)
	}
	ls := e.ok("suppress", "ls").stdout
	for _, want := range [][]string{{"gone@example.de", "unsubscribe", "2023-02-02"}, {"bounced@example.org", "hard-bounce", "2024-12-31"},
		{"nodate@example.fr", "unsubscribe"}} {
		if !lineWith(ls, want...) {
			t.Errorf("suppress ls lacks %q:\n%s", want, ls)
		}
	}
	for _, addr := range []string{"gone@example.de", "bounced@example.org"} {
		if r := e.run("check", "--email", addr, "--purpose", "newsletter"); r.code != exitRefused {
			t.Errorf("check %s: exit %d\n%s", addr, r.code, r.stdout)
		}
	}
	// Again: the entries are there already, nothing is added twice.
	sum = e.importJSON(append([]string{e.senderFile("mailchimp_cleaned.csv"), "--from", "mailchimp"}, common...)...)
	if sum.Sender.Added != 0 || sum.Sender.AlreadyListed != 1 {
		t.Errorf("cleaned again: %+v", sum.Sender)
	}

	// listmonk: consents, an unsubscribe and a blocklisting; attributes not declared are dropped and said.
	sum = e.importJSON(append([]string{e.senderFile("listmonk_subscribers.csv"), "--from", "listmonk", "--list", "lm"}, common...)...)
	s = sum.Sender
	if s == nil || s.Format != "listmonk" || sum.Rows != 5 || sum.Failed != 0 {
		t.Fatalf("listmonk: %+v %+v", sum, s)
	}
	if s.Added+s.AlreadyListed < 2 || leftover(s, "uuid") != 5 || leftover(s, "attributes.tags") != 1 {
		t.Errorf("listmonk sender summary: %+v", s)
	}
	if !slices.Contains(sum.Dropped, "city") {
		t.Errorf("listmonk dropped columns: %v", sum.Dropped)
	}
	e.ok("check", "--email", "priya@example.in", "--purpose", "newsletter")
	if r := e.run("check", "--email", "spam@example.com", "--purpose", "newsletter"); r.code != exitRefused {
		t.Errorf("blocklisted: exit %d\n%s", r.code, r.stdout)
	}
	ls = e.ok("suppress", "ls").stdout
	if !lineWith(ls, "spam@example.com", "2023-06-15") || !lineWith(ls, "left@example.com", "unsubscribe", "2022-09-09") {
		t.Errorf("suppress ls after listmonk:\n%s", ls)
	}
	e.ok(append([]string{"import", e.senderFile("listmonk_plain.csv"), "--from", "listmonk", "--list-status", "confirmed", "--dry-run"}, common...)...)
}

// lineWith reports whether out has a line holding every one of want.
func lineWith(out string, want ...string) bool {
	for _, l := range strings.Split(out, "\n") {
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(l, w)
		}
		if ok {
			return true
		}
	}
	return false
}

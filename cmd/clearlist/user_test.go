package main

import (
	"bufio"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TestCLIUser: add refuses without a password source off a terminal, a short password and an
// unknown role; ls shows the roles per workspace; role adds a workspace; disable shows.
func TestCLIUser(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	pw := e.file("pw", "a long enough passphrase\n")
	short := e.file("short", "short\n")
	e.fails(1, "--password-stdin or --password-file", "user", "add", "ann@example.com", "--role", "owner")
	e.fails(1, "at least 12", "user", "add", "ann@example.com", "--role", "owner", "--password-file", short)
	e.fails(1, "use one of owner, admin, compliance, marketer, agent, read-only", "user", "add", "ann@example.com", "--role", "root", "--password-file", pw)
	e.fails(1, "not an e-mail address", "user", "add", "ann", "--role", "owner", "--password-file", pw)
	if r := e.run("user", "ls"); !strings.Contains(r.stderr, "clearlist user add EMAIL --role owner") {
		t.Fatalf("ls without users: %s", r.stderr)
	}
	e.ok("user", "add", "Ann@Example.com", "--name", "Ann", "--role", "owner", "--password-file", pw)
	e.fails(1, "already an account", "user", "add", "ann@example.com", "--role", "admin", "--password-file", pw)
	e.ok("workspace", "create", "acme")
	e.ok("--workspace", "acme", "user", "role", "ann@example.com", "marketer")
	e.ok("user", "disable", "ann@example.com")
	out := e.ok("user", "ls").stdout
	if !strings.Contains(out, "ann@example.com") || !strings.Contains(out, "acme:marketer,default:owner") || !strings.Contains(out, "true") {
		t.Fatalf("ls:\n%s", out)
	}
	e.fails(1, "no account nobody@example.com", "user", "passwd", "nobody@example.com", "--password-file", pw)
}

// TestCLIUserTOTP enrols a second factor the way a person does: the command prints the
// otpauth:// key, the authenticator's code is typed, and the enrolment is audited.
func TestCLIUserTOTP(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.ok("user", "add", "cy@example.com", "--role", "compliance", "--password-file", e.file("pw", "a long enough passphrase"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "--db", e.db, "user", "totp", "cy@example.com")
	cmd.Dir = e.dir
	in, _ := cmd.StdinPipe()
	outPipe, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(outPipe).ReadString('\n')
	if err != nil {
		t.Fatalf("no key printed: %v %s", err, stderr.String())
	}
	key, err := otp.NewKeyFromURL(strings.TrimSpace(line))
	if err != nil || key.AccountName() != "cy@example.com" {
		t.Fatalf("key %q: %v", line, err)
	}
	code, _ := totp.GenerateCode(key.Secret(), time.Now())
	in.Write([]byte(code + "\n"))
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("user totp: %v\n%s", err, stderr.String())
	}
	if out := e.ok("user", "ls").stdout; !regexp.MustCompile(`cy@example\.com\s+default:compliance\s+true\s+false`).MatchString(out) {
		t.Fatalf("ls after enrolment:\n%s", out)
	}
	var actions []string
	for _, en := range cliEntries(t, e.db) {
		actions = append(actions, en.action)
	}
	if !strings.Contains(strings.Join(actions, " "), "user.totp_enrol") {
		t.Fatalf("no user.totp_enrol entry: %v", actions)
	}
}

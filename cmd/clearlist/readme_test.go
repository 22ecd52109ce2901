package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readmeCommand is one shell command of a README block, with the README line it starts on.
type readmeCommand struct {
	line int
	text string
}

// firstStepsBlock returns the commands of the first ```sh block under "## First steps" in
// the README: comment and blank lines dropped, lines ending in a backslash joined with the
// next.
func firstStepsBlock(t *testing.T, readme string) []readmeCommand {
	t.Helper()
	var (
		cmds             []readmeCommand
		inSection, inSh  bool
		pending          strings.Builder
		pendingStartLine int
	)
	for i, l := range strings.Split(readme, "\n") {
		n := i + 1
		switch {
		case !inSection:
			inSection = strings.TrimSpace(l) == "## First steps"
			continue
		case !inSh && strings.HasPrefix(l, "## "):
			t.Fatal("README.md: the First steps section has no ```sh block")
		case !inSh:
			inSh = strings.TrimSpace(l) == "```sh"
			continue
		case strings.HasPrefix(l, "```"):
			if pending.Len() > 0 {
				t.Fatalf("README.md line %d: the block ends inside a continued command", n)
			}
			return cmds
		}
		trimmed := strings.TrimSpace(l)
		if pending.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if pending.Len() == 0 {
			pendingStartLine = n
		}
		if cont, ok := strings.CutSuffix(trimmed, `\`); ok {
			pending.WriteString(cont)
			pending.WriteString(" ")
			continue
		}
		pending.WriteString(trimmed)
		cmds = append(cmds, readmeCommand{line: pendingStartLine, text: pending.String()})
		pending.Reset()
	}
	t.Fatal("README.md: no ```sh block under ## First steps, or it is not closed")
	return nil
}

// TestREADMEFirstSteps runs the README's First steps block, line by line, in an empty
// folder with a fresh SQLite database, as a newcomer pasting it would: `go build` is
// replaced by this test's binary and `serve` (which blocks) is skipped. Its last command
// must be a `check` that allows the contact.
func TestREADMEFirstSteps(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to run the README's commands with")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds := firstStepsBlock(t, string(readme))
	if len(cmds) == 0 {
		t.Fatal("README.md: the First steps block has no commands")
	}

	dir := t.TempDir()
	copyDir(t, filepath.Join("..", "..", "examples"), filepath.Join(dir, "examples"))
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CLEARLIST_") {
			env = append(env, kv)
		}
	}

	var last result
	var lastCmd readmeCommand
	for _, c := range cmds {
		fields := strings.Fields(c.text)
		switch {
		case len(fields) >= 2 && fields[0] == "go" && fields[1] == "build":
			copyFile(t, binary, filepath.Join(dir, "clearlist"), 0o755)
			continue
		case len(fields) >= 2 && strings.HasSuffix(fields[0], "clearlist") && fields[1] == "serve":
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, sh, "-c", c.text)
		cmd.Dir = dir
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		cancel()
		r := result{stdout: out.String(), stderr: errOut.String()}
		if exit, ok := err.(*exec.ExitError); ok {
			r.code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("README.md line %d: %s\n%v", c.line, c.text, err)
		}
		if r.code != 0 {
			t.Fatalf("README.md line %d failed (exit %d): %s\nstdout: %s\nstderr: %s",
				c.line, r.code, c.text, r.stdout, r.stderr)
		}
		last, lastCmd = r, c
	}

	fields := strings.Fields(lastCmd.text)
	if len(fields) < 2 || !strings.HasSuffix(fields[0], "clearlist") || fields[1] != "check" {
		t.Fatalf("README.md line %d: the First steps block should end with ./clearlist check, ends with: %s",
			lastCmd.line, lastCmd.text)
	}
	if !strings.HasPrefix(last.stdout, "allowed: ") {
		t.Fatalf("README.md line %d: %s\nwant the contact allowed, got:\n%s", lastCmd.line, lastCmd.text, last.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "clearlist.db")); err != nil {
		t.Errorf("the block should have used a fresh ./clearlist.db: %v", err)
	}
}

// copyDir copies the regular files of src (not its subfolders) into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			copyFile(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()), 0o644)
		}
	}
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, mode); err != nil {
		t.Fatal(err)
	}
}

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/user"
)

// passwordFlags say where a new password comes from: a terminal prompt (asked twice) unless
// one of them is given.
type passwordFlags struct {
	PasswordStdin bool   `help:"Read the password from the first line of standard input (for scripts)."`
	PasswordFile  string `help:"Read the password from the first line of FILE (e.g. a mounted secret)." type:"existingfile"`
}

type userCmd struct {
	Add struct {
		Email string `arg:"" help:"The person's e-mail address (their login)."`
		Name  string `help:"Display name."`
		Role  string `required:"" placeholder:"ROLE" help:"Their role in the workspace (--workspace): owner, admin, compliance, marketer, agent or read-only."`
		passwordFlags
	} `cmd:"" help:"Create a person who signs in to the admin UI, with a role in the workspace."`
	Ls     struct{} `cmd:"" help:"Show the people and their roles (never their passwords)."`
	Passwd struct {
		Email string `arg:"" help:"E-mail address of the account."`
		passwordFlags
	} `cmd:"" help:"Set a new password; the account's sessions end."`
	Disable struct {
		Email  string `arg:"" help:"E-mail address of the account."`
		Enable bool   `help:"Enable the account again instead."`
	} `cmd:"" help:"Disable an account at once: it cannot sign in and its sessions end."`
	Role struct {
		Email string `arg:"" help:"E-mail address of the account."`
		Role  string `arg:"" help:"owner, admin, compliance, marketer, agent or read-only."`
	} `cmd:"" help:"Give an account a role in the workspace (--workspace), adding it there."`
	TOTP struct {
		Email string `arg:"" help:"E-mail address of the account."`
	} `cmd:"" name:"totp" help:"Enrol a second factor: enter the printed otpauth:// key in an authenticator app, then type the code it shows."`
}

func (c *userCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		us, ws := a.Users, a.Workspace
		switch kctx.Command() {
		case "user add <email>":
			pw, err := c.Add.read()
			if err != nil {
				return err
			}
			u, err := us.Add(ctx, c.Add.Email, c.Add.Name, pw, ws.ID, c.Add.Role)
			if err != nil {
				return err
			}
			fmt.Printf("created %s (id %d), %s in workspace %s; sign in at /login\n", u.Email, u.ID, c.Add.Role, ws.Name)
			return nil
		case "user passwd <email>":
			pw, err := c.Passwd.read()
			if err != nil {
				return err
			}
			return us.SetPassword(ctx, c.Passwd.Email, pw)
		case "user disable <email>":
			return us.SetDisabled(ctx, c.Disable.Email, !c.Disable.Enable)
		case "user role <email> <role>":
			return us.SetRole(ctx, c.Role.Email, ws.ID, c.Role.Role)
		case "user totp <email>":
			return enrolTOTP(ctx, us, c.TOTP.Email)
		default:
			return listUsers(ctx, us)
		}
	})
}

func listUsers(ctx context.Context, us *user.Service) error {
	all, err := us.List(ctx)
	if err != nil {
		return err
	}
	tw := table()
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLES\tTOTP\tDISABLED\tLAST LOGIN")
	for _, u := range all {
		var roles []string
		for _, m := range u.Roles {
			roles = append(roles, m.Workspace+":"+m.Role)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%v\t%v\t%s\n", u.ID, u.Email, u.Name, strings.Join(roles, ","), u.TOTP, u.Disabled,
			fmtTime(u.LastLoginAt))
	}
	if len(all) == 0 {
		fmt.Fprintln(os.Stderr, "no users; create the owner with `clearlist user add EMAIL --role "+access.RoleOwner+"`")
	}
	return tw.Flush()
}

// enrolTOTP prints a new key and stores it once the code typed (on standard input) matches.
func enrolTOTP(ctx context.Context, us *user.Service, email string) error {
	e, err := user.NormalEmail(email)
	if err != nil {
		return err
	}
	key, err := user.NewTOTP(e)
	if err != nil {
		return err
	}
	fmt.Println(key.URL())
	fmt.Fprintln(os.Stderr, "Add this key to an authenticator app (paste the otpauth:// line, or type the secret= value), then type the 6-digit code it shows:")
	code, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if err := us.EnrolTOTP(ctx, e, key.Secret(), strings.TrimSpace(code)); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "enrolled: every sign-in of", e, "now asks for a code")
	return nil
}

// read returns the new password from the source the flags name, or from the terminal (twice).
func (f passwordFlags) read() (string, error) {
	switch {
	case f.PasswordFile != "":
		b, err := os.ReadFile(f.PasswordFile)
		if err != nil {
			return "", err
		}
		return firstLine(string(b)), nil
	case f.PasswordStdin:
		b, err := io.ReadAll(io.LimitReader(os.Stdin, 4096))
		if err != nil {
			return "", err
		}
		return firstLine(string(b)), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", fmt.Errorf("no terminal to ask for the password: give it with --password-stdin or --password-file FILE")
	}
	fmt.Fprint(os.Stderr, "New password: ")
	a, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(os.Stderr, "Again: ")
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", err
	}
	if string(a) != string(b) {
		return "", fmt.Errorf("the two passwords differ; nothing was changed")
	}
	return string(a), nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

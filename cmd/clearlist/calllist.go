package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/suppress"
)

type callListCmd struct {
	List    string `required:"" help:"The list to call."`
	Purpose string `help:"The purpose of the calls (entries limited to a purpose apply to it)."`
	At      string `help:"When the calls are made (RFC 3339); default now."`
	Window  string `default:"08:00-21:00" help:"Allowed local hours at the called number."`
	JSON    bool   `help:"Print the report to stderr as JSON."`
}

func (c *callListCmd) Run(ctx context.Context, cfg *config.Config) error {
	at := time.Now()
	if c.At != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, c.At); err != nil {
			return fmt.Errorf("--at %q: give an RFC 3339 time such as 2026-11-25T15:00:00-05:00", c.At)
		}
	}
	var from, to time.Time
	var err1, err2 error
	if len(c.Window) == 11 && c.Window[5] == '-' {
		from, err1 = time.Parse("15:04", c.Window[:5])
		to, err2 = time.Parse("15:04", c.Window[6:])
	}
	if len(c.Window) != 11 || err1 != nil || err2 != nil {
		return fmt.Errorf("--window %q: give it as HH:MM-HH:MM, e.g. 08:00-21:00", c.Window)
	}
	win := suppress.Window{Start: time.Duration(from.Hour())*time.Hour + time.Duration(from.Minute())*time.Minute,
		End: time.Duration(to.Hour())*time.Hour + time.Duration(to.Minute())*time.Minute}
	return withApp(ctx, cfg, func(a *app.App) error {
		rep, err := a.Suppressions.CallList(ctx, a.Workspace.ID, c.List, c.Purpose, at, win, os.Stdout)
		if err != nil {
			return err
		}
		if rep.StaleRegistry {
			fmt.Fprintln(os.Stderr, "warning: the last national registry import is more than 31 days old; import a fresh download before calling")
		}
		if c.JSON {
			return json.NewEncoder(os.Stderr).Encode(rep)
		}
		fmt.Fprintf(os.Stderr, "%d contacts: %d to call, %d without phone, %d on the do-not-contact list, %d outside the calling hours\n",
			rep.Contacts, rep.Kept, rep.NoPhone, rep.Suppressed, rep.OutsideHours)
		return nil
	})
}

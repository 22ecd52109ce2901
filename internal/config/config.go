// Package config is clearlist's one configuration struct, filled from flags, CLEARLIST_*
// environment variables and an optional JSON file (flags win over the environment, the
// environment over the file).
package config

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Config holds the settings every command shares.
type Config struct {
	DB            string `name:"db" env:"CLEARLIST_DB" default:"clearlist.db" help:"Database: a SQLite file path, or a postgres://user@host/db URL."`
	Workspace     string `name:"workspace" env:"CLEARLIST_WORKSPACE" default:"default" help:"Workspace (data controller) to work in."`
	DataDir       string `name:"data-dir" env:"CLEARLIST_DATA_DIR" default:"." help:"Folder for uploads and error reports."`
	DefaultRegion string `name:"default-region" env:"CLEARLIST_DEFAULT_REGION" default:"" help:"Country (ISO 3166 alpha-2, e.g. US, GB) for phone numbers written without +country code."`
	LogLevel      string `name:"log-level" env:"CLEARLIST_LOG_LEVEL" default:"info" enum:"debug,info,warn,error" help:"Log level: debug, info, warn, error."`
}

// Validate checks the values that flags and the environment cannot check by their type.
func (c *Config) Validate() error {
	if strings.TrimSpace(c.DB) == "" {
		return fmt.Errorf("--db is empty: give a SQLite file path or a postgres:// URL")
	}
	if strings.TrimSpace(c.Workspace) == "" {
		return fmt.Errorf("--workspace is empty: name a workspace, e.g. --workspace default")
	}
	if r := c.DefaultRegion; r != "" && (len(r) != 2 || strings.ToUpper(r) != r) {
		return fmt.Errorf("--default-region %q: use a two-letter upper-case country code such as US or GB", r)
	}
	return nil
}

// Logger builds the process logger at the configured level, writing text to stderr.
func (c *Config) Logger() *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}

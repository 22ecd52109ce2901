package config

import (
	"fmt"
	"os"

	"github.com/clearlist/clearlist/internal/keywrap"
)

// SecretKeyEnv names the variable that may hold the secret key itself.
const SecretKeyEnv = "CLEARLIST_SECRET_KEY"

// WrapKey returns the key that wraps the database's stored secrets, from --secret-key-file or
// CLEARLIST_SECRET_KEY (SecretKey, when set, stands for the variable), or nil when none is given.
func (c *Config) WrapKey() (*keywrap.Key, error) {
	text := c.SecretKey
	if text == "" {
		text = os.Getenv(SecretKeyEnv)
	}
	if c.SecretKeyFile != "" {
		if text != "" {
			return nil, fmt.Errorf("both %s and --secret-key-file are set: give the secret key one way", SecretKeyEnv)
		}
		b, err := os.ReadFile(c.SecretKeyFile)
		if err != nil {
			return nil, fmt.Errorf("--secret-key-file: %w", err)
		}
		k, err := keywrap.Parse(string(b))
		if err != nil {
			return nil, fmt.Errorf("--secret-key-file %s: %w", c.SecretKeyFile, err)
		}
		return k, nil
	}
	if text == "" {
		return nil, nil
	}
	k, err := keywrap.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", SecretKeyEnv, err)
	}
	return k, nil
}

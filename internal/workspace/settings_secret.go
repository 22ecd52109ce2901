package workspace

import (
	"context"
	"errors"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/errs"
)

// secretShown stands for a secret setting's value wherever settings are listed.
const secretShown = "(secret, set)"

// secretKeyName is the name a secret setting is kept under among the workspace's signing
// keys: wrapped with the instance's secret key, rotated and checked with them.
func secretKeyName(setting string) string { return "setting:" + setting }

// setSecret stores a secret setting (a provider's signing key, a password) wrapped; its audit
// entry names the setting, never the value.
func (s *Service) setSecret(ctx context.Context, ws int64, name, value string) error {
	return s.st.PutSigningKey(ctx, ws, secretKeyName(name), []byte(value), "setting.set", audit.Set(name, "(secret changed)"))
}

// SecretSetting returns a secret workspace setting's clear value, and whether it is set.
// Callers use it to check a signature and must never show or log it.
func (s *Service) SecretSetting(ctx context.Context, ws int64, name string) (string, bool, error) {
	v, err := s.st.ExistingSigningKey(ctx, ws, secretKeyName(name))
	if errors.Is(err, errs.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return string(v), true, nil
}

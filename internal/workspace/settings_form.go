package workspace

import (
	"context"
	"errors"
	"fmt"

	"github.com/clearlist/clearlist/internal/bounce/espsettings"
	"github.com/clearlist/clearlist/internal/errs"
)

// SetSettings checks several settings (a group of the admin UI's settings page) and stores
// those whose value changes, all in one transaction, or none: when any value is wrong it
// returns the message of each wrong one by setting name and stores nothing. An empty value
// leaves its setting as it is (settings are not unset here). Secret settings are set one at a
// time with SetSetting (`clearlist setting set`), never through a form that echoes values.
func (s *Service) SetSettings(ctx context.Context, ws int64, values map[string]string) (map[string]string, error) {
	bad := map[string]string{}
	changed := map[string]string{}
	for name, value := range values {
		if value == "" {
			continue
		}
		if espsettings.Secret(name) {
			bad[name] = fmt.Sprintf("setting %s is secret: set it with `clearlist setting set %s VALUE`", name, name)
			continue
		}
		v, err := NormalizeSetting(name, value)
		if err != nil {
			bad[name] = err.Error()
			continue
		}
		old, ok, err := s.st.Setting(ctx, ws, name)
		if err != nil {
			return nil, err
		}
		if !ok || old != v {
			changed[name] = v
		}
	}
	if len(bad) > 0 {
		return bad, nil
	}
	if len(changed) == 0 {
		return nil, nil
	}
	return nil, s.st.SetSettings(ctx, ws, changed)
}

// IsBoolSetting reports whether a setting takes true or false (the admin UI shows a choice).
func IsBoolSetting(name string) bool {
	v, err := NormalizeSetting(name, "true")
	_, errYes := NormalizeSetting(name, "yes")
	return err == nil && v == "true" && errYes != nil
}

// CreateOwned creates a workspace with a valid, unused name and makes the user its owner, in
// one transaction (the admin UI's workspaces page, for owners).
func (s *Service) CreateOwned(ctx context.Context, name string, userID int64) (Workspace, error) {
	if err := ValidName(name); err != nil {
		return Workspace{}, err
	}
	ws, err := s.st.CreateWorkspaceOwned(ctx, name, userID)
	if errors.Is(err, errs.ErrConflict) {
		return ws, fmt.Errorf("workspace %s already exists: choose another name", name)
	}
	return ws, err
}

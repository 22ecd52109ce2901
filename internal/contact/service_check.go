package contact

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clearlist/clearlist/internal/errs"
)

// checkEmail validates an e-mail address and returns it as given and in canonical form.
func checkEmail(raw string) (given, canonical string, err error) {
	given, canonical, err = CanonicalEmail(raw)
	if err != nil {
		return "", "", &InputError{Field: "email", Msg: err.Error(), Value: raw, Err: err}
	}
	return given, canonical, nil
}

// checkPhone returns a phone number in E.164 form; "" stays "" (no phone).
func (s *Service) checkPhone(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", nil
	}
	p, err := CanonicalPhone(raw, s.region)
	if err != nil {
		return "", &InputError{Field: "phone", Msg: err.Error(), Value: raw, Err: err}
	}
	return p, nil
}

// checkStatus reads a contact status.
func checkStatus(raw string) (Status, error) {
	st, err := ParseStatus(raw)
	if err != nil {
		return "", &InputError{Field: "status", Msg: err.Error(), Value: raw, Err: err}
	}
	return st, nil
}

// resolveLists finds the workspace's lists by name; every one must exist.
func (s *Service) resolveLists(ctx context.Context, ws int64, names []string) ([]int64, error) {
	ids := make([]int64, 0, len(names))
	seen := map[int64]bool{}
	for i, name := range names {
		l, err := s.store.ListByName(ctx, ws, strings.TrimSpace(name))
		if errors.Is(err, errs.ErrNotFound) {
			return nil, inputError(fmt.Sprintf("lists[%d]", i),
				fmt.Sprintf("list %q does not exist in this workspace; create it first (POST /api/v1/lists or `clearlist list create`)", name), name)
		}
		if err != nil {
			return nil, err
		}
		if !seen[l.ID] {
			seen[l.ID] = true
			ids = append(ids, l.ID)
		}
	}
	return ids, nil
}

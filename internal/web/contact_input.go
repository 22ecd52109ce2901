package web

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// checkEmail validates an e-mail address and returns it as given and in canonical form.
func checkEmail(raw string) (given, canonical string, err error) {
	given, canonical, err = contact.CanonicalEmail(raw)
	if err != nil {
		return "", "", invalid("body.email", err.Error(), raw)
	}
	return given, canonical, nil
}

// checkPhone returns a phone number in E.164 form; "" stays "" (no phone).
func (s *Server) checkPhone(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", nil
	}
	p, err := contact.CanonicalPhone(raw, s.cfg.DefaultRegion)
	if err != nil {
		return "", invalid("body.phone", err.Error(), raw)
	}
	return p, nil
}

// checkStatus reads a contact status.
func checkStatus(location, raw string) (contact.Status, error) {
	st, err := contact.ParseStatus(raw)
	if err != nil {
		return "", invalid(location, err.Error(), raw)
	}
	return st, nil
}

// mergeAttributes checks values against the workspace's declared attributes and merges
// them into attrs (which it may modify); a null or empty value removes the attribute.
func (s *Server) mergeAttributes(ctx context.Context, ws int64, attrs, values map[string]any) (map[string]any, error) {
	if attrs == nil {
		attrs = map[string]any{}
	}
	if len(values) == 0 {
		return attrs, nil
	}
	declared, err := s.st.Attributes(ctx, ws)
	if err != nil {
		return nil, err
	}
	schema, err := contact.NewSchema(declared)
	if err != nil {
		return nil, fmt.Errorf("workspace %d attribute schema: %w", ws, err)
	}
	for name, v := range values {
		loc := "body.attributes." + name
		a, ok := schema.Lookup(name)
		if !ok {
			return nil, invalid(loc, fmt.Sprintf("attribute %q is not declared in this workspace; only declared attributes are stored: "+
				"declare it with `clearlist attribute add %s --type text --purpose \"why you collect it\"` or leave it out", name, name), name)
		}
		raw, err := attrText(v)
		if err != nil {
			return nil, invalid(loc, fmt.Sprintf("attribute %s: %v", name, err), v)
		}
		parsed, err := a.Parse(raw)
		if err != nil {
			return nil, invalid(loc, fmt.Sprintf("attribute %s (%s): %v", name, a.Type, err), v)
		}
		if parsed == nil {
			delete(attrs, name)
			continue
		}
		attrs[name] = parsed
	}
	return attrs, nil
}

// attrText turns a JSON value into the text form the attribute parser reads.
func attrText(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", errors.New("give a string, a number or true/false, not an object or a list")
}

// listRef names a list a contact is on.
type listRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// resolveLists finds the workspace's lists by name; every one must exist.
func (s *Server) resolveLists(ctx context.Context, ws int64, names []string) ([]int64, error) {
	ids := make([]int64, 0, len(names))
	seen := map[int64]bool{}
	for i, name := range names {
		l, err := s.st.ListByName(ctx, ws, strings.TrimSpace(name))
		if errors.Is(err, store.ErrNotFound) {
			return nil, invalid(fmt.Sprintf("body.lists[%d]", i),
				fmt.Sprintf("list %q does not exist in this workspace; create it first with POST /api/v1/lists", name), name)
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

package contact

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// mergeAttributes checks values against the workspace's declared attributes and merges
// them into attrs (which it may modify); a null or empty value removes the attribute.
func (s *Service) mergeAttributes(ctx context.Context, ws int64, attrs, values map[string]any) (map[string]any, error) {
	if attrs == nil {
		attrs = map[string]any{}
	}
	if len(values) == 0 {
		return attrs, nil
	}
	declared, err := s.store.Attributes(ctx, ws)
	if err != nil {
		return nil, err
	}
	schema, err := NewSchema(declared)
	if err != nil {
		return nil, fmt.Errorf("workspace %d attribute schema: %w", ws, err)
	}
	for name, v := range values {
		field := "attributes." + name
		a, ok := schema.Lookup(name)
		if !ok {
			return nil, inputError(field, fmt.Sprintf("attribute %q is not declared in this workspace; only declared attributes are stored: "+
				"declare it with `clearlist attribute add %s --type text --purpose \"why you collect it\"` or leave it out", name, name), name)
		}
		raw, err := attrText(v)
		if err != nil {
			return nil, inputError(field, fmt.Sprintf("attribute %s: %v", name, err), v)
		}
		parsed, err := a.Parse(raw)
		if err != nil {
			return nil, inputError(field, fmt.Sprintf("attribute %s (%s): %v", name, a.Type, err), v)
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

// AddAttribute declares an attribute the workspace collects, with its purpose (Validate).
func (s *Service) AddAttribute(ctx context.Context, ws int64, a Attribute) error {
	a.Purpose = strings.TrimSpace(a.Purpose)
	if err := a.Validate(); err != nil {
		return err
	}
	return s.store.AddAttribute(ctx, ws, a)
}

// RemoveAttribute withdraws an attribute declaration; values already stored stay until erased.
func (s *Service) RemoveAttribute(ctx context.Context, ws int64, name string) error {
	return s.store.RemoveAttribute(ctx, ws, name)
}

// Attributes returns the workspace's declared attributes by name.
func (s *Service) Attributes(ctx context.Context, ws int64) ([]Attribute, error) {
	return s.store.Attributes(ctx, ws)
}

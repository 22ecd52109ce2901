package contact

import "fmt"

// Schema is the set of attributes a workspace has declared, with an index by
// name. The zero Schema and a nil *Schema declare nothing.
type Schema struct {
	Attributes []Attribute
	index      map[string]int
}

// NewSchema validates each attribute and rejects duplicate names.
func NewSchema(attrs []Attribute) (*Schema, error) {
	s := &Schema{Attributes: attrs, index: make(map[string]int, len(attrs))}
	for i, a := range attrs {
		if err := a.Validate(); err != nil {
			return nil, fmt.Errorf("schema: %w", err)
		}
		if _, dup := s.index[a.Name]; dup {
			return nil, fmt.Errorf("schema: attribute %s is declared twice; remove one", a.Name)
		}
		s.index[a.Name] = i
	}
	return s, nil
}

// Lookup returns the declared attribute called name.
func (s *Schema) Lookup(name string) (Attribute, bool) {
	if s == nil {
		return Attribute{}, false
	}
	if s.index == nil { // built as a literal, not by NewSchema
		for _, a := range s.Attributes {
			if a.Name == name {
				return a, true
			}
		}
		return Attribute{}, false
	}
	i, ok := s.index[name]
	if !ok {
		return Attribute{}, false
	}
	return s.Attributes[i], true
}

package render

import "fmt"

// checkData refuses values that are not JSON-like (strings, numbers, booleans, nil, lists and
// string-keyed maps of them). Templates may call methods of the values they are given; with
// JSON-like values there are none to call, whatever the template says.
func checkData(d Data) error {
	for _, m := range []struct {
		name string
		v    map[string]any
	}{{"Contact", d.Contact}, {"Campaign", d.Campaign}} {
		for k, v := range m.v {
			if err := checkValue(v, 0); err != nil {
				return fmt.Errorf("render: .%s.%s: %w", m.name, k, err)
			}
		}
	}
	return nil
}

func checkValue(v any, depth int) error {
	if depth > 32 {
		return fmt.Errorf("nested deeper than 32 levels")
	}
	switch x := v.(type) {
	case nil, string, bool, float64, float32, int, int64, int32, uint, uint64, uint32:
		return nil
	case []any:
		for _, e := range x {
			if err := checkValue(e, depth+1); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		for _, e := range x {
			if err := checkValue(e, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("a %T is not a JSON-like value (string, number, boolean, list or map)", v)
}

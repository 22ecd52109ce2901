package render

import (
	"fmt"
	htmpl "html/template"
	"strings"
	"text/template/parse"
)

// The template engines evaluate every action through reflection, which made Render cost about
// 3 µs per action. A compiled template's trees (the HTML one after html/template has added its
// escapers) are run here instead when they use only what campaign templates need: text,
// fields of .Contact/.Campaign/.Workspace and of dot, string/number/bool constants, if/with,
// range over a list, and the functions in fastFuncs, whose escapers are html/template's own
// (copied in escape.go). Whatever this runner meets at Render and does not do exactly as the
// engine would (a value of another type, a comparison of mixed types, an error) makes it give
// up; Render then discards its output and runs the engine, so the result is always the
// engine's. TestFastMatchesEngine and the fuzz test compare the two.

// fastFunc is a function the runner calls itself; ok=false means "let the engine do it".
type fastFunc func(args []any) (v any, ok bool)

var fastFuncs map[string]fastFunc

func init() {
	one := func(f func(any) any) fastFunc {
		return func(a []any) (any, bool) {
			if len(a) != 1 {
				return nil, false
			}
			return f(a[0]), true
		}
	}
	fastFuncs = map[string]fastFunc{
		valueFunc:    one(funcs[valueFunc].(func(any) any)),
		urlStartFunc: one(func(v any) any { return funcs[urlStartFunc].(func(any) string)(v) }),
		urlPathFunc:  one(func(v any) any { return funcs[urlPathFunc].(func(any) string)(v) }),
		urlQueryFunc: one(func(v any) any { return funcs[urlQueryFunc].(func(any) string)(v) }),
		"upper":      one(func(v any) any { return strings.ToUpper(toString(v)) }),
		"lower":      one(func(v any) any { return strings.ToLower(toString(v)) }),
		"trim":       one(func(v any) any { return strings.TrimSpace(toString(v)) }),
		"default": func(a []any) (any, bool) {
			if len(a) != 2 {
				return nil, false
			}
			return defaultValue(a[0], a[1]), true
		},
		"not": func(a []any) (any, bool) {
			if len(a) != 1 {
				return nil, false
			}
			t, ok := truth(a[0])
			return !t, ok
		},
		"and": func(a []any) (any, bool) { return andOr(a, false) },
		"or":  func(a []any) (any, bool) { return andOr(a, true) },
		"eq":  func(a []any) (any, bool) { return equal(a) },
		"ne": func(a []any) (any, bool) {
			v, ok := equal(a)
			return v != true, ok
		},
		"print":   func(a []any) (any, bool) { return fmt.Sprint(a...), allPlain(a) },
		"println": func(a []any) (any, bool) { return fmt.Sprintln(a...), allPlain(a) },
		"printf": func(a []any) (any, bool) {
			if len(a) == 0 {
				return nil, false
			}
			format, ok := a[0].(string)
			if !ok || !allPlain(a[1:]) {
				return nil, false
			}
			return fmt.Sprintf(format, a[1:]...), true
		},
		"index": index,
		"len": func(a []any) (any, bool) {
			if len(a) != 1 {
				return nil, false
			}
			switch x := a[0].(type) {
			case string:
				return len(x), true
			case []any:
				return len(x), true
			case map[string]any:
				return len(x), true
			}
			return nil, false
		},
		"_html_template_htmlescaper":   escaperFor(htmlReplace, true),
		"_html_template_attrescaper":   escaperFor(htmlReplace, false),
		"_html_template_rcdataescaper": escaperFor(htmlReplace, false),
		"_html_template_urlfilter":     escaperFor(urlFilter, false),
		"_html_template_urlnormalizer": escaperFor(func(s string) string { return urlProcess(true, s) }, false),
		"_html_template_urlescaper":    escaperFor(func(s string) string { return urlProcess(false, s) }, false),
	}
}

// fastable reports whether every node of the tree is one the runner knows.
func fastable(l *parse.ListNode) bool {
	if l == nil {
		return true
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.TextNode, *parse.CommentNode:
		case *parse.ActionNode:
			if !fastablePipe(n.Pipe) {
				return false
			}
		case *parse.IfNode:
			if !fastablePipe(n.Pipe) || !fastable(n.List) || !fastable(n.ElseList) {
				return false
			}
		case *parse.WithNode:
			if !fastablePipe(n.Pipe) || !fastable(n.List) || !fastable(n.ElseList) {
				return false
			}
		case *parse.RangeNode:
			if !fastablePipe(n.Pipe) || !fastable(n.List) || !fastable(n.ElseList) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func fastablePipe(p *parse.PipeNode) bool {
	if p == nil || len(p.Decl) > 0 || p.IsAssign || len(p.Cmds) == 0 {
		return false
	}
	for i, c := range p.Cmds {
		if len(c.Args) == 0 {
			return false
		}
		id, isFunc := c.Args[0].(*parse.IdentifierNode)
		if isFunc {
			if fastFuncs[id.Ident] == nil {
				return false
			}
		} else if len(c.Args) > 1 || i > 0 {
			return false
		}
		args := c.Args
		if isFunc {
			args = args[1:]
		}
		for _, a := range args {
			switch a := a.(type) {
			case *parse.FieldNode, *parse.DotNode, *parse.StringNode, *parse.BoolNode:
			case *parse.NumberNode:
				if !a.IsInt || strings.ContainsAny(a.Text, ".eEpP") {
					return false
				}
			case *parse.PipeNode:
				if !fastablePipe(a) {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}

// fastRun is one execution of a tree into a buffer.
type fastRun struct {
	w    *limitedBuffer
	root *execRoot
	args [4]any // scratch for function arguments
}

// list runs the nodes of l with dot; false means give up.
func (r *fastRun) list(l *parse.ListNode, dot any) bool {
	if l == nil {
		return true
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			if _, err := r.w.Write(n.Text); err != nil {
				return false
			}
		case *parse.CommentNode:
		case *parse.ActionNode:
			v, ok := r.pipe(n.Pipe, dot)
			if !ok || !r.print(v) {
				return false
			}
		case *parse.IfNode:
			v, ok := r.pipe(n.Pipe, dot)
			t, ok2 := truth(v)
			if !ok || !ok2 {
				return false
			}
			if ok := r.list(pick(t, n.List, n.ElseList), dot); !ok {
				return false
			}
		case *parse.WithNode:
			v, ok := r.pipe(n.Pipe, dot)
			t, ok2 := truth(v)
			if !ok || !ok2 {
				return false
			}
			if t {
				ok = r.list(n.List, v)
			} else {
				ok = r.list(n.ElseList, dot)
			}
			if !ok {
				return false
			}
		case *parse.RangeNode:
			v, ok := r.pipe(n.Pipe, dot)
			items, isList := v.([]any)
			if !ok || (!isList && v != nil) {
				return false
			}
			for _, it := range items {
				if !r.list(n.List, it) {
					return false
				}
			}
			if len(items) == 0 && !r.list(n.ElseList, dot) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func pick(t bool, a, b *parse.ListNode) *parse.ListNode {
	if t {
		return a
	}
	return b
}

// print writes an action's value as text/template does (fmt.Fprint of the value).
func (r *fastRun) print(v any) bool {
	var err error
	switch x := v.(type) {
	case string:
		_, err = r.w.WriteString(x)
	case htmpl.HTML:
		_, err = r.w.WriteString(string(x))
	case nil:
		return false // the engine prints "<no value>" or fails: let it
	default:
		if !plain(v) {
			return false
		}
		_, err = fmt.Fprint(r.w, v)
	}
	return err == nil
}

func (r *fastRun) pipe(p *parse.PipeNode, dot any) (any, bool) {
	var final any
	for i, c := range p.Cmds {
		id, isFunc := c.Args[0].(*parse.IdentifierNode)
		if !isFunc {
			v, ok := r.arg(c.Args[0], dot)
			if !ok {
				return nil, false
			}
			final = v
			continue
		}
		n := len(c.Args) - 1
		if i > 0 {
			n++
		}
		var args []any
		if n <= len(r.args) {
			args = r.args[:n]
		} else {
			args = make([]any, n)
		}
		for j, a := range c.Args[1:] {
			v, ok := r.arg(a, dot)
			if !ok {
				return nil, false
			}
			args[j] = v
		}
		if i > 0 {
			args[n-1] = final
		}
		v, ok := fastFuncs[id.Ident](args)
		clear(args)
		if !ok {
			return nil, false
		}
		final = v
	}
	return final, true
}

func (r *fastRun) arg(n parse.Node, dot any) (any, bool) {
	switch n := n.(type) {
	case *parse.FieldNode:
		return r.field(dot, n.Ident)
	case *parse.DotNode:
		return dot, true
	case *parse.StringNode:
		return n.Text, true
	case *parse.BoolNode:
		return n.True, true
	case *parse.NumberNode:
		if int64(int(n.Int64)) != n.Int64 {
			return nil, false
		}
		return int(n.Int64), true
	case *parse.PipeNode:
		return r.pipe(n, dot)
	}
	return nil, false
}

// field looks a field chain up in dot: the root's fields, then map keys. A missing key is
// nil, as the engine gives for a map[string]any.
func (r *fastRun) field(dot any, idents []string) (any, bool) {
	var v any = dot
	if root, ok := dot.(*execRoot); ok {
		switch idents[0] {
		case "Contact":
			v = root.Contact
		case "Campaign":
			v = root.Campaign
		case "Workspace":
			v = root.Workspace
		case "ClearlistPreheader":
			v = root.ClearlistPreheader
		case "ClearlistFooter":
			v = root.ClearlistFooter
		default:
			return nil, false
		}
		idents = idents[1:]
	}
	for _, id := range idents {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		v = m[id]
	}
	return v, true
}

// plain reports the JSON-like values whose printing and truth the runner knows.
func plain(v any) bool {
	switch v.(type) {
	case nil, string, bool, float64, int, int64, []any, map[string]any:
		return true
	}
	return false
}

// truth is template.IsTrue for plain values.
func truth(v any) (bool, bool) {
	switch x := v.(type) {
	case nil:
		return false, true
	case bool:
		return x, true
	case string:
		return x != "", true
	case float64:
		return x != 0, true
	case int:
		return x != 0, true
	case int64:
		return x != 0, true
	case []any:
		return len(x) > 0, true
	case map[string]any:
		return len(x) > 0, true
	case htmpl.HTML:
		return x != "", true
	}
	return false, false
}

// andOr returns, as the builtins do, the first falsy (and) or truthy (or) argument, or the last.
func andOr(a []any, or bool) (any, bool) {
	if len(a) == 0 {
		return nil, false
	}
	for _, v := range a {
		t, ok := truth(v)
		if !ok {
			return nil, false
		}
		if t == or {
			return v, true
		}
	}
	return a[len(a)-1], true
}

// equal is eq for two values of one basic type; anything else is left to the engine.
func equal(a []any) (any, bool) {
	if len(a) != 2 {
		return nil, false
	}
	switch x := a[0].(type) {
	case string:
		y, ok := a[1].(string)
		return x == y, ok
	case bool:
		y, ok := a[1].(bool)
		return x == y, ok
	case float64:
		y, ok := a[1].(float64)
		return x == y, ok
	case int:
		y, ok := a[1].(int)
		return x == y, ok
	}
	return nil, false
}

func allPlain(a []any) bool {
	for _, v := range a {
		if !plain(v) {
			return false
		}
	}
	return true
}

// index is the builtin for maps by string key (a missing key gives nil, as in the engine) and
// lists by an index in range; anything else is left to the engine.
func index(a []any) (any, bool) {
	if len(a) < 2 {
		return nil, false
	}
	v := a[0]
	for _, k := range a[1:] {
		switch x := v.(type) {
		case map[string]any:
			key, ok := k.(string)
			if !ok {
				return nil, false
			}
			v = x[key]
		case []any:
			i, ok := k.(int)
			if !ok || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

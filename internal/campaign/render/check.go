package render

import (
	"fmt"
	"text/template/parse"
)

// rootFields are the names a template may use at its top level.
var rootFields = map[string]bool{"Contact": true, "Campaign": true, "Workspace": true}

// checkTree applies the rules that text/template does not: no sub-templates, no range over a
// constant number (a loop without data), only .Contact, .Campaign and .Workspace at the top.
// It returns the offending node's position and the message, or "" when the tree is fine.
func checkTree(root *parse.ListNode) (parse.Pos, string) {
	c := checker{}
	c.list(root, true)
	return c.pos, c.msg
}

type checker struct {
	pos parse.Pos
	msg string
}

func (c *checker) fail(pos parse.Pos, format string, args ...any) {
	if c.msg == "" {
		c.pos, c.msg = pos, fmt.Sprintf(format, args...)
	}
}

// list walks a list; rootDot says whether dot is still the template's data there (it is not
// inside range and with, where field names are the data's own keys).
func (c *checker) list(l *parse.ListNode, rootDot bool) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			c.pipe(n.Pipe, rootDot)
		case *parse.IfNode:
			c.pipe(n.Pipe, rootDot)
			c.list(n.List, rootDot)
			c.list(n.ElseList, rootDot)
		case *parse.RangeNode:
			c.pipe(n.Pipe, rootDot)
			if constantRange(n.Pipe) {
				c.fail(n.Pos, "range over a number is not allowed: range over a list in the data")
			}
			c.list(n.List, false)
			c.list(n.ElseList, rootDot)
		case *parse.WithNode:
			c.pipe(n.Pipe, rootDot)
			c.list(n.List, false)
			c.list(n.ElseList, rootDot)
		case *parse.TemplateNode:
			c.fail(n.Pos, "{{template}} and {{block}} are not supported in campaign templates")
		}
	}
}

func (c *checker) pipe(p *parse.PipeNode, rootDot bool) {
	if p == nil {
		return
	}
	for _, cmd := range p.Cmds {
		for _, a := range cmd.Args {
			c.arg(a, rootDot)
		}
	}
}

func (c *checker) arg(a parse.Node, rootDot bool) {
	switch a := a.(type) {
	case *parse.FieldNode:
		if rootDot && !rootFields[a.Ident[0]] {
			c.fail(a.Pos, "unknown field .%s: use .Contact.NAME, .Campaign.NAME or .Workspace", a.Ident[0])
		}
	case *parse.VariableNode:
		if a.Ident[0] == "$" && len(a.Ident) > 1 && !rootFields[a.Ident[1]] {
			c.fail(a.Pos, "unknown field $.%s: use .Contact.NAME, .Campaign.NAME or .Workspace", a.Ident[1])
		}
	case *parse.PipeNode:
		c.pipe(a, rootDot)
	case *parse.ChainNode:
		c.arg(a.Node, rootDot)
	}
}

// constantRange reports a range whose value is a number literal, e.g. {{range 1000000000}}:
// Go's templates range over integers, which would loop without any data to bound it.
func constantRange(p *parse.PipeNode) bool {
	if p == nil || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return false
	}
	switch a := p.Cmds[0].Args[0].(type) {
	case *parse.NumberNode:
		return true
	case *parse.PipeNode:
		return constantRange(a)
	}
	return false
}

// addValueFunc appends `| clearlistValue` to every output action of a text template, so that
// a missing key prints as nothing (text/template prints "<no value>").
func addValueFunc(l *parse.ListNode) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if len(n.Pipe.Decl) == 0 {
				id := parse.NewIdentifier(valueFunc).SetPos(n.Pos)
				n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{
					NodeType: parse.NodeCommand, Pos: n.Pos, Args: []parse.Node{id},
				})
			}
		case *parse.IfNode:
			addValueFunc(n.List)
			addValueFunc(n.ElseList)
		case *parse.RangeNode:
			addValueFunc(n.List)
			addValueFunc(n.ElseList)
		case *parse.WithNode:
			addValueFunc(n.List)
			addValueFunc(n.ElseList)
		}
	}
}

package render

import (
	"errors"
	"sort"
	"strings"
	"text/template/parse"
)

// piece is a run of a template source: literal markup, or template actions with their
// delimiters (adjacent actions form one piece).
type piece struct {
	src    string
	action bool
	output bool // an action piece that writes something (not only if/else/end/range/with, comments, assignments)
	pos    int  // byte offset in the source
}

// splitActions cuts src into literal and action pieces using its parse tree: whatever is not a
// text node is action material, so the pieces are exactly what the template engine sees.
func splitActions(src string, tree *parse.Tree) ([]piece, error) {
	var texts []*parse.TextNode
	var outputs []int
	if tree != nil {
		collectNodes(tree.Root, &texts, &outputs)
	}
	sort.Slice(texts, func(i, j int) bool { return texts[i].Pos < texts[j].Pos })
	sort.Ints(outputs)
	var ps []piece
	addAction := func(from, to int) {
		if from >= to {
			return
		}
		i := sort.SearchInts(outputs, from)
		out := i < len(outputs) && outputs[i] < to
		ps = append(ps, piece{src: src[from:to], action: true, output: out, pos: from})
	}
	at := 0
	for _, t := range texts {
		p := int(t.Pos)
		if p < at || p+len(t.Text) > len(src) || src[p:p+len(t.Text)] != string(t.Text) {
			return nil, errors.New("cannot locate the template's text in its source")
		}
		addAction(at, p)
		ps = append(ps, piece{src: src[p : p+len(t.Text)], pos: p})
		at = p + len(t.Text)
	}
	addAction(at, len(src))
	return ps, nil
}

// collectNodes gathers the text nodes and the positions of output actions under l.
func collectNodes(l *parse.ListNode, texts *[]*parse.TextNode, outputs *[]int) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			*texts = append(*texts, n)
		case *parse.ActionNode:
			if len(n.Pipe.Decl) == 0 {
				*outputs = append(*outputs, int(n.Pos))
			}
		case *parse.TemplateNode:
			*outputs = append(*outputs, int(n.Pos))
		case *parse.IfNode:
			collectNodes(n.List, texts, outputs)
			collectNodes(n.ElseList, texts, outputs)
		case *parse.RangeNode:
			collectNodes(n.List, texts, outputs)
			collectNodes(n.ElseList, texts, outputs)
		case *parse.WithNode:
			collectNodes(n.List, texts, outputs)
			collectNodes(n.ElseList, texts, outputs)
		}
	}
}

// choosePrefix picks the placeholder prefix: a word that does not occur in the source, so a
// placeholder found later can only be one we wrote.
func choosePrefix(src string) string {
	lower := strings.ToLower(src)
	p := "clph"
	for strings.Contains(lower, p) {
		p += "q"
	}
	return p
}

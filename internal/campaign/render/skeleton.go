package render

import (
	"fmt"
	"strconv"
	"strings"
)

// The CSS inliner parses HTML, and template actions are not HTML: "{{if .x}}" between table
// rows would be moved out of the table by the parser, an action between attributes would
// become an attribute name. So Compile hands the inliner a skeleton in which every action is
// a placeholder the parser keeps in place, and puts the actions back afterwards:
//
//   - in text: a comment, <!--clph7x--> (comments stay where they are, even inside tables);
//   - between attributes: an empty attribute, clph7x="" (a run of actions and attributes in one
//     tag becomes one placeholder, so conditional attributes are kept as written);
//   - anywhere else (attribute values, comments, <style>, <title>): the bare word clph7x.
//
// After inlining every placeholder must come back exactly once, in order and in its form;
// otherwise Compile fails with the action's line rather than render a changed template.

// form is the shape of a placeholder.
type form uint8

const (
	formComment form = iota
	formAttr
	formPlain
)

// placeholder is one stood-in run of template source.
type placeholder struct {
	src    string
	form   form
	output bool
	pos    int // byte offset in the author's source
}

// skeleton builds the placeholder document from pieces.
func skeleton(ps []piece, prefix string) (string, []placeholder) {
	var b strings.Builder
	var phs []placeholder
	var sc scanner
	for i := 0; i < len(ps); i++ {
		p := ps[i]
		if !p.action {
			sc.feed(p.src)
			b.WriteString(p.src)
			continue
		}
		f := sc.placeholderForm()
		ph := placeholder{src: p.src, form: f, output: p.output, pos: p.pos}
		if f == formAttr {
			// Take in the following attributes and actions up to the last action before the
			// tag closes: {{if .x}}class="a"{{else}}class="b"{{end}} is one placeholder.
			end, probe := i, sc
			for k := i + 1; k < len(ps); k++ {
				if ps[k].action {
					end = k
					continue
				}
				closed := probe.closed
				probe.feed(ps[k].src)
				if probe.closed != closed {
					break
				}
			}
			var src strings.Builder
			for k := i; k <= end; k++ {
				src.WriteString(ps[k].src)
				if !ps[k].action {
					sc.feed(ps[k].src)
				}
				ph.output = ph.output || ps[k].output
			}
			ph.src, i = src.String(), end
		}
		tok := prefix + strconv.Itoa(len(phs)) + "x"
		switch f {
		case formComment:
			b.WriteString("<!--" + tok + "-->")
		case formAttr:
			b.WriteString(" " + tok + " ")
		default:
			b.WriteString(tok)
			if sc.st == sBeforeValue {
				sc.st = sUnquoted // the action is the start of an unquoted value
			}
		}
		phs = append(phs, ph)
	}
	return b.String(), phs
}

// Marker names: the places Render fills with the preheader and the footer.
const (
	markPre  = "pre"
	markFoot = "foot"
)

// restoreError says which placeholder did not survive the inliner.
type restoreError struct {
	index int // -1 when not one placeholder's fault
	msg   string
}

// restore puts the actions back into the inlined document and the preheader and footer
// snippets at their markers, checking that each placeholder came back once, in order and in
// its form. lines receives, per restored action, the output line and the author's line.
func restore(doc, prefix string, phs []placeholder, pre, foot string) (string, []int, error) {
	var b strings.Builder
	b.Grow(len(doc) + len(pre) + len(foot))
	outPos := make([]int, 0, len(phs)) // offset in the result of each restored action
	next, seenPre, seenFoot := 0, false, false
	at := 0
	for {
		i := strings.Index(doc[at:], prefix)
		if i < 0 {
			break
		}
		i += at
		j := i + len(prefix)
		k := j
		for k < len(doc) && doc[k] >= '0' && doc[k] <= '9' {
			k++
		}
		switch {
		case k > j && k < len(doc) && doc[k] == 'x':
			n, _ := strconv.Atoi(doc[j:k])
			if n != next {
				return "", nil, &restoreError{index: next, msg: "moved or dropped by the HTML parser"}
			}
			ph := phs[n]
			start, end := i, k+1
			switch ph.form {
			case formComment:
				if !strings.HasSuffix(doc[:i], "<!--") || !strings.HasPrefix(doc[end:], "-->") {
					return "", nil, &restoreError{index: n, msg: "not in text where it was expected"}
				}
				start, end = i-4, end+3
			case formAttr:
				if !strings.HasPrefix(doc[end:], `=""`) {
					return "", nil, &restoreError{index: n, msg: "not between attributes where it was expected"}
				}
				end += 3
			}
			b.WriteString(doc[at:start])
			outPos = append(outPos, b.Len())
			b.WriteString(ph.src)
			at, next = end, next+1
		case strings.HasPrefix(doc[j:], markPre+"-->") && strings.HasSuffix(doc[:i], "<!--") && !seenPre:
			b.WriteString(doc[at : i-4])
			b.WriteString(pre)
			at, seenPre = j+len(markPre)+3, true
		case strings.HasPrefix(doc[j:], markFoot+"-->") && strings.HasSuffix(doc[:i], "<!--") && !seenFoot:
			b.WriteString(doc[at : i-4])
			b.WriteString(foot)
			at, seenFoot = j+len(markFoot)+3, true
		default:
			return "", nil, &restoreError{index: -1, msg: "the HTML spells out a placeholder word (" + prefix + ")"}
		}
	}
	if next != len(phs) {
		return "", nil, &restoreError{index: next, msg: "dropped by the HTML parser"}
	}
	if !seenPre || !seenFoot {
		return "", nil, &restoreError{index: -1, msg: "the document has no body for the footer"}
	}
	b.WriteString(doc[at:])
	return b.String(), outPos, nil
}

func (e *restoreError) Error() string { return e.msg }

// asTemplateError explains a restore failure in the author's terms.
func (e *restoreError) asTemplateError(part, src string, phs []placeholder) *Error {
	if e.index < 0 || e.index >= len(phs) {
		return &Error{Part: part, Msg: "cannot inline the CSS: " + e.msg}
	}
	ph := phs[e.index]
	return &Error{Part: part, Line: lineAt(src, ph.pos), Msg: fmt.Sprintf(
		"cannot inline the CSS around %s: it was %s; keep template actions in text, in attribute "+
			"values or around whole elements", abbreviate(ph.src), e.msg)}
}

func abbreviate(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

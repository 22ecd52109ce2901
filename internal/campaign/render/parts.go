package render

import (
	"fmt"
	ttmpl "text/template"
	"text/template/parse"
)

// checkSizes refuses sources over the limits before any parsing.
func checkSizes(t Template) error {
	for _, p := range []struct{ part, src string }{{"subject", t.Subject}, {"preheader", t.Preheader}} {
		if len(p.src) > MaxHeaderTemplateBytes {
			return fmt.Errorf("%s template is %d bytes, over the limit of %d: %w",
				p.part, len(p.src), MaxHeaderTemplateBytes, ErrTooLarge)
		}
	}
	total := len(t.Subject) + len(t.Preheader) + len(t.HTML) + len(t.Text) + len(t.Markdown)
	if total > MaxTemplateBytes {
		return fmt.Errorf("template is %d bytes, over the limit of %d (%d MiB); "+
			"mailbox providers clip messages over about 100 KB: host images and large content "+
			"on the web and link to them: %w", total, MaxTemplateBytes, MaxTemplateBytes>>20, ErrTooLarge)
	}
	return nil
}

// compileHeader compiles the subject or preheader; an empty source gives nil (and is an error
// when required).
func compileHeader(part, src string, required bool) (*ttmpl.Template, error) {
	if src == "" {
		if required {
			return nil, &Error{Part: part, Msg: "empty: a message needs a " + part}
		}
		return nil, nil
	}
	return compileText(part, src)
}

// compileText parses and checks a text/template part.
func compileText(part, src string) (*ttmpl.Template, error) {
	t, err := ttmpl.New(part).Funcs(funcs).Parse(src)
	if err != nil {
		return nil, templateError(part, err, nil)
	}
	if err := checkParsed(part, src, len(t.Templates()), t.Tree); err != nil {
		return nil, err
	}
	if t.Tree != nil {
		addValueFunc(t.Tree.Root)
	}
	return t, nil
}

// checkParsed applies checkTree and refuses {{define}} (which adds templates).
func checkParsed(part, src string, templates int, tree *parse.Tree) error {
	if templates > 1 {
		return &Error{Part: part, Msg: "{{define}} and {{block}} are not supported in campaign templates"}
	}
	if tree == nil {
		return nil
	}
	if pos, msg := checkTree(tree.Root); msg != "" {
		return &Error{Part: part, Line: lineAt(src, int(pos)), Msg: msg}
	}
	return nil
}

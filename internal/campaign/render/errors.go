package render

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Error is a problem with one part of a template, found by Compile or Render.
type Error struct {
	Part string // "subject", "preheader", "html", "markdown" or "text"
	Line int    // 1-based line in that part's source; 0 when not known
	Msg  string // what is wrong, in the template engine's words where it has them
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s template, line %d: %s", e.Part, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s template: %s", e.Part, e.Msg)
}

// engineMsg matches the location prefix of text/template and html/template errors:
// "template: html:3: ...", "template: html:3:14: executing \"html\" at <...>: ...",
// "html/template:html:3:7: ...".
var engineMsg = regexp.MustCompile(`(?s)^(?:html/)?template: ?[^:]*:(\d+)(?::\d+)?: (.*)$`)

// templateError turns a template engine's error into an *Error for part. mapLine, when not nil,
// maps a line of the source the engine saw to the author's line.
func templateError(part string, err error, mapLine func(int) int) error {
	var te *Error
	if errors.As(err, &te) || errors.Is(err, ErrTooLarge) {
		return err
	}
	msg := err.Error()
	line := 0
	if m := engineMsg.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if mapLine != nil {
			line = mapLine(line)
		}
	}
	// "executing "html" at <.x>: ..." names our internal template; "at <.x>: ..." suffices.
	if i := strings.Index(msg, "executing \""); i == 0 {
		if j := strings.Index(msg, "\" "); j > 0 {
			msg = msg[j+2:]
		}
	}
	return &Error{Part: part, Line: line, Msg: msg}
}

// lineAt is the 1-based line of byte offset pos in src.
func lineAt(src string, pos int) int {
	if pos > len(src) {
		pos = len(src)
	}
	return 1 + strings.Count(src[:pos], "\n")
}

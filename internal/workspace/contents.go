package workspace

import "fmt"

// Contents counts what a workspace holds, for the question whether it may go.
type Contents struct {
	Contacts, Lists, Consents, Suppressions, Tokens, Imports, Webhooks int64
}

// Empty reports whether the workspace holds nothing a user put there.
func (c Contents) Empty() bool { return c == Contents{} }

// String lists the non-zero counts, e.g. "3 contacts, 1 list".
func (c Contents) String() string {
	var out string
	for _, p := range []struct {
		n    int64
		what string
	}{{c.Contacts, "contact"}, {c.Lists, "list"}, {c.Consents, "consent record"},
		{c.Suppressions, "do-not-contact entr"}, {c.Tokens, "API token"}, {c.Imports, "import"}, {c.Webhooks, "webhook"}} {
		if p.n == 0 {
			continue
		}
		if out != "" {
			out += ", "
		}
		word := p.what + "s"
		switch {
		case p.what == "do-not-contact entr" && p.n == 1:
			word = p.what + "y"
		case p.what == "do-not-contact entr":
			word = p.what + "ies"
		case p.n == 1:
			word = p.what
		}
		out += fmt.Sprintf("%d %s", p.n, word)
	}
	if out == "" {
		return "nothing"
	}
	return out
}

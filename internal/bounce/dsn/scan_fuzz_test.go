package dsn

import "testing"

// FuzzMarkStart: markStart is a shortcut only, never false on a line originalMarkRe matches.
func FuzzMarkStart(f *testing.F) {
	for _, s := range []string{"----- Original message -----", "> ==Returned message", "Below this line is a copy of the message.",
		"  以下は元のメッセージです", "Content-Type: message/rfc822", "*** Your message reads", "Исходное сообщение", "---"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		for i := 0; i < len(line); i++ {
			if line[i] == '\n' {
				return // originalStart passes single lines
			}
		}
		if originalMarkRe.MatchString(line) && !markStart(line) {
			t.Errorf("markStart(%q) = false on a mark", line)
		}
	})
}

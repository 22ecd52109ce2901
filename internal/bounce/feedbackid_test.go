package bounce

import (
	"strconv"
	"testing"
)

func TestParseFeedbackID(t *testing.T) {
	for in, want := range map[string][3]int64{
		"c12:ws3:newsletter:clearlist":   {3, 12, 0},
		"t7:3:transactional:clearlist":   {3, 0, 7},
		"c12:ws3:newsletter:othersender": {},
		"c0:ws3:newsletter:clearlist":    {},
		"x1:ws3:p:clearlist":             {},
		"c1:wsx:p:clearlist":             {},
		"":                               {},
		"c+12:ws3:newsletter:clearlist":  {},
		"c12:ws03:newsletter:clearlist":  {},
	} {
		ws, c, tx, ok := parseFeedbackID(in)
		if got := [3]int64{ws, c, tx}; got != want || ok != (want != [3]int64{}) {
			t.Errorf("%q = %v, %v; want %v", in, got, ok, want)
		}
	}
}

func FuzzParseFeedbackID(f *testing.F) {
	f.Add("c12:ws3:newsletter:clearlist")
	f.Add("t7:3:transactional:clearlist")
	f.Fuzz(func(t *testing.T, s string) {
		ws, c, tx, ok := parseFeedbackID(s)
		if ok && (ws <= 0 || (c == 0) == (tx == 0)) {
			t.Fatalf("%q = %d %d %d", s, ws, c, tx)
		}
		if ok && c > 0 && s[:1+len(strconv.FormatInt(c, 10))] != "c"+strconv.FormatInt(c, 10) {
			t.Fatalf("%q: campaign %d", s, c)
		}
	})
}

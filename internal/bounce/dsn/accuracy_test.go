package dsn

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

type expectedRow struct {
	file         string
	index        int
	status, code string
	reason       string
	hard         bool
	family       string
}

func readExpected(t testing.TB) []expectedRow {
	t.Helper()
	f, err := os.Open("testdata/bounces/expected.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []expectedRow
	for _, rec := range recs[1:] {
		i, _ := strconv.Atoi(rec[1])
		rows = append(rows, expectedRow{file: rec[0], index: i, status: rec[2], code: rec[3], reason: rec[4], hard: rec[5] == "true", family: rec[6]})
	}
	return rows
}

// parsedRecipients is what the CLI prints for a sample: every message of it (an mbox file
// holds several), a complaint's recipients as feedback, an auto-reply's as vacation.
func parsedRecipients(t testing.TB, file string) []Recipient {
	raw, err := os.ReadFile(filepath.Join("testdata/bounces", file))
	if err != nil {
		t.Fatal(err)
	}
	var out []Recipient
	for _, msg := range SplitMbox(raw) {
		rep, err := Parse(msg)
		if err != nil {
			t.Logf("%s: %v", file, err)
			return nil
		}
		out = append(out, rep.Recipients...)
	}
	return out
}

// TestAccuracy measures the parser and classifier against sisimai's expectations for the
// sample set: the share of recipients whose reason, and whose hard/soft verdict, agree. It
// also prints the figures without the family rules (families.tsv), to show how much of the
// agreement rests on them.
func TestAccuracy(t *testing.T) {
	noFamilies = true
	reason, hard, n := agreement(t, readExpected(t))
	noFamilies = false
	fmt.Printf("without family rules: reason %.1f%% (%d/%d), hard/soft %.1f%% (%d/%d)\n", 100*float64(reason)/float64(n), reason, n, 100*float64(hard)/float64(n), hard, n)
	accuracy(t)
}

// agreement counts the recipients whose reason and hard/soft agree with the expectations.
func agreement(t *testing.T, rows []expectedRow) (reason, hard, n int) {
	cache := map[string][]Recipient{}
	for _, e := range rows {
		rs, ok := cache[e.file]
		if !ok {
			rs = parsedRecipients(t, e.file)
			cache[e.file] = rs
		}
		var got Recipient
		if e.index-1 < len(rs) {
			got = rs[e.index-1]
		}
		n++
		if got.Reason == e.reason {
			reason++
		}
		if got.Reason != "" && got.Hard == e.hard {
			hard++
		}
	}
	return reason, hard, n
}

func accuracy(t *testing.T) {
	rows := readExpected(t)
	cache := map[string][]Recipient{}
	type tally struct{ n, reason, hard int }
	fam := map[string]*tally{}
	var all tally
	for _, e := range rows {
		rs, ok := cache[e.file]
		if !ok {
			rs = parsedRecipients(t, e.file)
			cache[e.file] = rs
		}
		tl := fam[e.family]
		if tl == nil {
			tl = &tally{}
			fam[e.family] = tl
		}
		tl.n++
		all.n++
		var got Recipient
		if e.index-1 < len(rs) {
			got = rs[e.index-1]
		}
		if got.Reason == e.reason {
			tl.reason++
			all.reason++
		} else {
			t.Logf("reason  %s #%d: got %q want %q (status %q/%q want %s, diag %.160q)", e.file, e.index, got.Reason, e.reason, got.Status, got.ReplyCode, e.status, got.Diagnostic)
		}
		if got.Reason != "" && got.Hard == e.hard {
			tl.hard++
			all.hard++
		} else {
			t.Logf("hard    %s #%d: got %v (%s) want %v (%s)", e.file, e.index, got.Hard, got.Reason, e.hard, e.reason)
		}
	}
	for file, rs := range cache {
		n := 0
		for _, e := range rows {
			if e.file == file {
				n++
			}
		}
		if len(rs) != n {
			t.Logf("count   %s: %d recipients, want %d", file, len(rs), n)
		}
	}
	names := make([]string, 0, len(fam))
	for k := range fam {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "%-26s %5s %8s %8s\n", "family", "rcpts", "reason", "hard")
	for _, k := range names {
		tl := fam[k]
		fmt.Fprintf(&b, "%-26s %5d %7.1f%% %7.1f%%\n", k, tl.n, 100*float64(tl.reason)/float64(tl.n), 100*float64(tl.hard)/float64(tl.n))
	}
	reasonPct := 100 * float64(all.reason) / float64(all.n)
	hardPct := 100 * float64(all.hard) / float64(all.n)
	fmt.Fprintf(&b, "%-26s %5d %7.1f%% %7.1f%%\n", "ALL", all.n, reasonPct, hardPct)
	t.Log("\n" + b.String())
	fmt.Printf("accuracy: reason %.1f%% (%d/%d), hard/soft %.1f%% (%d/%d)\n", reasonPct, all.reason, all.n, hardPct, all.hard, all.n)
	if reasonPct < 95 {
		t.Errorf("reason agreement %.1f%% is below 95%%", reasonPct)
	}
	if hardPct < 99 {
		t.Errorf("hard/soft agreement %.1f%% is below 99%%", hardPct)
	}
}

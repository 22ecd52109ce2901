package verify

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusSkips lists corpus rows whose expectation is a data judgement this
// package does not share, with the reason. Every other row must agree.
var corpusSkips = map[string]string{
	"ie-t005": "is_email expects test@io VALID only because io. had an MX record when the suite " +
		"was run with DNS (its own comment says so); offline, every dotless domain is RFC5321_TLD " +
		"(risky), as test@org, a@b and test@example in the same corpus are. Check drops the " +
		"dotless-domain risk when DNS finds mail exchangers for the TLD.",
}

// corpusRow is one line of a testdata/addresses TSV file, by column name.
type corpusRow map[string]string

// readCorpus reads testdata/addresses/name: UTF-8, tab-separated, a header line.
func readCorpus(t testing.TB, name string) []corpusRow {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "addresses", name))
	if err != nil {
		t.Fatalf("open corpus: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var header []string
	var rows []corpusRow
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = cells
			continue
		}
		if len(cells) != len(header) {
			t.Fatalf("%s: row %q has %d cells, want %d", name, cells[0], len(cells), len(header))
		}
		row := corpusRow{}
		for i, h := range header {
			row[h] = cells[i]
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return rows
}

// str decodes the JSON string literal in column col; "-" is "".
func (r corpusRow) str(t testing.TB, col string) string {
	t.Helper()
	v := r[col]
	if v == "-" {
		return ""
	}
	var s string
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		t.Fatalf("row %s column %s: %v", r["id"], col, err)
	}
	return s
}

// tally counts agreement for one file and logs the rate.
type tally struct{ rows, agree, skipped int }

func (c *tally) log(t *testing.T, what string) {
	t.Helper()
	t.Logf("%s: %d/%d agree (%.1f%%), %d skipped by corpusSkips", what, c.agree, c.rows,
		100*float64(c.agree)/float64(max(c.rows, 1)), c.skipped)
}

func TestCorpusSyntax(t *testing.T) {
	for _, file := range []string{"syntax-isemail.tsv", "syntax-extra.tsv", "syntax-intl.tsv"} {
		var verdicts, diags tally
		for _, row := range readCorpus(t, file) {
			id, addr := row["id"], row.str(t, "address_json")
			if why, ok := corpusSkips[id]; ok {
				verdicts.skipped++
				t.Logf("skip %s %q: %s", id, addr, why)
				continue
			}
			got := Syntax(addr)
			verdicts.rows++
			if string(got.Verdict) == row["expected_simple"] {
				verdicts.agree++
			} else {
				t.Errorf("%s %s %q: verdict %s (%s), want %s (%s)", file, id, addr, got.Verdict, got.Diagnosis, row["expected_simple"], row["diagnosis"])
			}
			if want := wantDiagnosis(row["diagnosis"]); want != "" {
				diags.rows++
				if got.Diagnosis == want {
					diags.agree++
				} else {
					t.Errorf("%s %s %q: diagnosis %s, want %s", file, id, addr, got.Diagnosis, want)
				}
			}
			if want := row["ascii_form_json"]; want != "" && want != "-" && got.ASCII != row.str(t, "ascii_form_json") {
				t.Errorf("%s %s %q: ASCII %q, want %q", file, id, addr, got.ASCII, row.str(t, "ascii_form_json"))
			}
			if want := row["smtputf8"]; want != "" && want != "-" && got.SMTPUTF8 != (want == "required") {
				t.Errorf("%s %s %q: SMTPUTF8 %v, want %s", file, id, addr, got.SMTPUTF8, want)
			}
		}
		verdicts.log(t, file+" verdicts")
		if diags.rows > 0 {
			diags.log(t, file+" diagnoses")
		}
	}
}

// wantDiagnosis maps a corpus diagnosis to ours: no ISEMAIL_ prefix, and the
// DNS warnings of a suite run with DNS are VALID for an offline check.
func wantDiagnosis(d string) Diagnosis {
	if d == "" || d == "-" {
		return ""
	}
	d = strings.TrimPrefix(d, "ISEMAIL_")
	if strings.HasPrefix(d, "DNSWARN_") {
		return "VALID"
	}
	return Diagnosis(d)
}

func TestCorpusTypos(t *testing.T) {
	c := New(Options{})
	var tl tally
	for _, row := range readCorpus(t, "typos.tsv") {
		id, addr := row["id"], row.str(t, "address_json")
		if why, ok := corpusSkips[id]; ok {
			tl.skipped++
			t.Logf("skip %s %q: %s", id, addr, why)
			continue
		}
		want := row.str(t, "suggested_address_json")
		got := c.Offline(addr)
		tl.rows++
		if got.Suggestion == want && got.Has(ReasonTypo) == (want != "") {
			tl.agree++
		} else {
			t.Errorf("typos.tsv %s %q (%s): suggestion %q, want %q (%s)", id, addr, row["kind"], got.Suggestion, want, row["note"])
		}
	}
	tl.log(t, "typos.tsv suggestions")
}

func TestCorpusFlags(t *testing.T) {
	c := New(Options{})
	var tl tally
	for _, row := range readCorpus(t, "flags.tsv") {
		id, addr := row["id"], row.str(t, "address_json")
		if why, ok := corpusSkips[id]; ok {
			tl.skipped++
			t.Logf("skip %s %q: %s", id, addr, why)
			continue
		}
		got := c.Offline(addr)
		tl.rows++
		ok := true
		for _, f := range []struct {
			col    string
			reason Reason
		}{{"disposable", ReasonDisposable}, {"role", ReasonRole}, {"free", ReasonFree}} {
			if want := row[f.col] == "yes"; got.Has(f.reason) != want {
				ok = false
				t.Errorf("flags.tsv %s %q: %s = %v, want %v (reasons %v)", id, addr, f.col, got.Has(f.reason), want, got.Reasons)
			}
		}
		if ok {
			tl.agree++
		}
	}
	tl.log(t, "flags.tsv flags")
}

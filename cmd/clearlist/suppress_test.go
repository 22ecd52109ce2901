package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestCLISuppress goes through the do-not-contact commands on both engines: add in one
// spelling, check in others (exit 3), bad input refused with nothing recorded, CSV and
// registry imports with their row errors, screening a file, a call list, removal with a
// reason and the audit trail.
func TestCLISuppress(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := newCLI(t, eng.DSN(t))
			e.ok("suppress", "add", "Jane.Doe+promo@GMail.com", "+1 (212) 555-0100", "--reason", "request-phone", "--country", "US")
			for _, v := range []string{"janedoe@gmail.com", "tel:+12125550100", "+1.212.555.0100"} {
				if r := e.run("suppress", "check", v); r.code != exitRefused || !strings.Contains(r.stdout, "do not contact") ||
					!strings.Contains(r.stdout, "reason request-phone, received") {
					t.Errorf("check %s: exit %d, %q", v, r.code, r.stdout)
				}
			}
			r := e.ok("suppress", "check", "--json", "--channel", "email", "someone@example.com")
			var ans struct{ Contactable bool }
			if err := json.Unmarshal([]byte(r.stdout), &ans); err != nil || !ans.Contactable {
				t.Fatalf("check --json: %q, %v", r.stdout, err)
			}
			e.fails(1, "cannot be limited to channel phone", "suppress", "add", "x@example.com", "--reason", "manual", "--scope", "phone")
			e.fails(1, "unknown", "suppress", "add", "x@example.com", "--reason", "because")
			e.fails(1, "has no country code", "suppress", "add", "555 0100", "--reason", "manual", "--kind", "phone")
			e.fails(1, "control", "suppress", "add", "a@example.com\r\nBcc: b@example.com", "--reason", "manual")
			if out := e.ok("suppress", "ls", "--json").stdout; strings.Count(out, "\n") != 2 {
				t.Fatalf("bad adds recorded something:\n%s", out)
			}

			csvFile := e.file("dnc.csv", "email,reason,scope\nfoo@bar.example,unsubscribe,\nnot an address,manual,\nann@example.org,request-web,purpose:surveys\n")
			r = e.ok("suppress", "import", csvFile, "--json")
			if !strings.Contains(r.stdout, `"added":2`) || !strings.Contains(r.stdout, `"row":3`) {
				t.Fatalf("csv import: %s", r.stdout)
			}
			reg := e.file("212.txt", "2125550100\n212,5550101\n(646) 555-0102\nnonsense\n")
			r = e.ok("suppress", "import", "--registry", "--fetched", "2020-01-01", reg)
			if !strings.Contains(r.stdout, "3 added, 0 already listed") || !strings.Contains(r.stderr, "more than 31 days old") || !strings.Contains(r.stderr, "line 4") {
				t.Fatalf("registry import:\n%s\n%s", r.stdout, r.stderr)
			}
			list := e.file("list.csv", "email,name\njane.doe@gmail.com,Jane\nok@example.com,Ok\nFOO@bar.example,Foo\nann@example.org,Ann\n")
			r = e.ok("suppress", "screen", "--purpose", "newsletter", list)
			if r.stdout != "email,name\nok@example.com,Ok\nann@example.org,Ann\n" {
				t.Fatalf("screened file:\n%s\n%s", r.stdout, r.stderr)
			}

			e.ok("list", "create", "calls")
			e.file("people.csv", "email,phone\njane@example.com,+1 212 555 0101\nbob@example.com,+1 415 555 0199\nlee@example.com,+44 20 7946 0000\n")
			e.ok("import", "--list", "calls", "--source-type", "web-form-double-opt-in", "people.csv")
			// 20:30 in New York is 17:30 in San Francisco and 01:30 in London.
			r = e.ok("calllist", "--list", "calls", "--at", "2026-11-25T20:30:00-05:00", "--json")
			if r.stdout != "contact_id,email,phone,local_time,zones\n2,bob@example.com,+14155550199,17:30,America/Los_Angeles\n" {
				t.Fatalf("call list:\n%s\n%s", r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, `"suppressed":1`) || !strings.Contains(r.stderr, `"outside_hours":1`) || !strings.Contains(r.stderr, "31 days") {
				t.Fatalf("call list report: %s", r.stderr)
			}

			e.fails(80, "missing flags: --why", "suppress", "remove", "1")
			e.ok("suppress", "remove", "1", "--why", "recorded for the wrong person")
			e.ok("suppress", "check", "janedoe@gmail.com")
			if out := e.ok("suppress", "audit").stdout; !strings.Contains(out, "recorded for the wrong person") {
				t.Fatalf("audit:\n%s", out)
			}
		})
	}
}

// TestCLISuppressRules: the deadline rules print with their citations.
func TestCLISuppressRules(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	out := e.ok("suppress", "rules").stdout
	for _, want := range []string{"dl-us-email", "15 U.S.C. §7704(a)(4)", "dl-eu-objection: email/phone/sms", "48 hours", "suppress.deadline_hours"} {
		if !strings.Contains(out, want) {
			t.Errorf("suppress rules: no %q in\n%s", want, out)
		}
	}
}

package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// TestCLICampaignReport: the report, its breakdowns and a bucket exported as CSV and JSON
// lines; opened is refused with the setting to turn on, and listed once it is.
func TestCLICampaignReport(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	contacts := e.file("contacts.csv", "email\nann@example.com\nbob@example.org\ncy@Example.org\n")
	e.ok("import", contacts, "--list", "news", "--source-type", "api")
	for _, who := range []string{"ann@example.com", "cy@example.org"} {
		e.ok("consent", "add", "--email", who, "--purpose", "newsletter", "--action", "granted",
			"--wording", "Send me the newsletter", "--at", "2026-12-01T10:00:00Z")
	}
	e.ok("setting", "set", "sender.name", "Example Shop")
	e.ok("setting", "set", "sender.postal_address", "1 High St, London")
	e.ok("campaign", "create", "spring", "--purpose", "newsletter", "--list", "news", "--from", "News <news@example.com>",
		"--subject", "Hi", "--text", e.file("body.txt", "Hello"))
	e.ok("campaign", "start", "1")

	sum := e.ok("campaign", "report", "1").stdout
	for _, want := range []string{"recipients    3", "queued        2", "excluded      1", "aggregate counts"} {
		if !strings.Contains(strings.Join(strings.Fields(sum), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("report lacks %q:\n%s", want, sum)
		}
	}
	var js struct {
		Recipients int            `json:"recipients"`
		ExcludedBy map[string]int `json:"excluded_by"`
	}
	if err := json.Unmarshal([]byte(e.ok("campaign", "report", "1", "--format", "json").stdout), &js); err != nil || js.Recipients != 3 || len(js.ExcludedBy) != 1 {
		t.Errorf("json report = %+v, %v", js, err)
	}
	doms := e.ok("campaign", "report", "1", "--by", "domain").stdout
	if !strings.Contains(doms, "example.org") || !strings.Contains(doms, "example.com") {
		t.Errorf("per domain:\n%s", doms)
	}
	recs, err := csv.NewReader(strings.NewReader(e.ok("campaign", "report", "1", "--bucket", "queued", "--format", "csv").stdout)).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][1] != "ann@example.com" || recs[2][1] != "cy@Example.org" {
		t.Errorf("queued csv = %v, %v", recs, err)
	}
	lines := strings.Split(strings.TrimSpace(e.ok("campaign", "report", "1", "--bucket", "excluded", "--format", "jsonl").stdout), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"address":"bob@example.org"`) || !strings.Contains(lines[0], `"reason"`) {
		t.Errorf("excluded jsonl = %q", lines)
	}
	e.fails(1, "tracking.individual", "campaign", "report", "1", "--bucket", "opened")
	e.ok("setting", "set", "tracking.individual", "true")
	if out := e.ok("campaign", "report", "1", "--bucket", "opened", "--format", "jsonl").stdout; out != "" {
		t.Errorf("nobody opened yet, got %q", out)
	}
}

// TestCLICampaignLocalTime: a campaign at each recipient's local time keeps its time of day;
// a time that is none is refused with the form to use.
func TestCLICampaignLocalTime(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.ok("import", e.file("contacts.csv", "email\nann@example.com\n"), "--list", "news", "--source-type", "api")
	body := e.file("body.txt", "Hello")
	e.fails(1, "HH:MM", "campaign", "create", "late", "--purpose", "newsletter", "--list", "news", "--from", "n@example.com",
		"--subject", "Hi", "--text", body, "--local-time", "25:00")
	e.ok("campaign", "create", "morning", "--purpose", "newsletter", "--list", "news", "--from", "n@example.com",
		"--subject", "Hi", "--text", body, "--local-time", "8:15")
	if out := e.ok("campaign", "show", "1").stdout; !strings.Contains(out, `"local_time": "08:15"`) {
		t.Errorf("show:\n%s", out)
	}
	e.fails(1, "IANA", "setting", "set", "campaign.timezone", "Mars/Base")
	e.ok("setting", "set", "campaign.timezone", "Europe/Berlin")
}

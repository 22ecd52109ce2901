package dsn

import (
	"slices"
	"strings"
	"testing"
)

// TestRulesPhrases checks every wording rule in rules/phrases.tsv and rules/mta.tsv: the rule
// matches its own text, and Classify on that text gives the rule's reason — or a reason the
// rule order (rules/order.tsv) lets win because its own phrases also occur in the text.
func TestRulesPhrases(t *testing.T) {
	check := func(file string, p phrase) {
		t.Helper()
		text := strings.Join(p.parts, " x ")
		if !p.match(text) {
			t.Errorf("%s: %s rule %q does not match its own text", file, p.reason, text)
			return
		}
		got := classify(facts{diag: text})
		if got == p.reason {
			return
		}
		if rules.phraseMatch(got, text) || rules.mtaReason(text) == got || (got == "filtered" && rules.phraseMatch("userunknown", text)) {
			return // shadowed by an earlier reason whose own phrase is in the text
		}
		switch p.reason {
		case "userunknown", "filtered", "rejected", "spamdetected", "norelaying", "vacation", "delivered", "suppressed":
			// context rules: these need the SMTP command or status to be told (tested below)
			return
		}
		t.Errorf("%s: %s rule %q classifies as %q", file, p.reason, text, got)
	}
	n := 0
	for _, ps := range rules.byReason {
		for _, p := range ps {
			check("phrases.tsv", p)
			n++
		}
	}
	for _, p := range rules.mta {
		if len(p.parts[0]) >= minUnscoped {
			check("mta.tsv", p)
		} else if got := classify(facts{diag: p.parts[0], families: map[string]bool{p.family: true}}); got != p.reason {
			t.Errorf("mta.tsv: %s rule %q of %s classifies as %q within its family", p.reason, p.parts[0], p.family, got)
		}
		n++
	}
	if n < 500 {
		t.Fatalf("only %d wording rules loaded", n)
	}
}

// TestRulesContext covers the context rules: the reasons whose phrases count only with the
// right SMTP command or status code.
func TestRulesContext(t *testing.T) {
	for _, r := range rules.byReason["userunknown"] {
		text := strings.Join(r.parts, " x ")
		if got := classify(facts{diag: text, command: "RCPT"}); got != "userunknown" && !rules.phraseMatch(got, text) {
			t.Errorf("userunknown rule %q at RCPT: %q", text, got)
		}
	}
	for _, r := range rules.byReason["rejected"] {
		text := strings.Join(r.parts, " x ")
		if got := classify(facts{diag: text, command: "MAIL"}); got != "rejected" && !rules.phraseMatch(got, text) {
			t.Errorf("rejected rule %q at MAIL: %q", text, got)
		}
	}
	for _, r := range rules.byReason["spamdetected"] {
		text := strings.Join(r.parts, " x ")
		if got := classify(facts{diag: text, command: "DATA"}); got != "spamdetected" && !rules.phraseMatch(got, text) && rules.mtaReason(text) != got {
			t.Errorf("spamdetected rule %q at DATA: %q", text, got)
		}
	}
	for _, r := range rules.byReason["filtered"] {
		text := strings.Join(r.parts, " x ")
		if got := classify(facts{diag: text, command: "DATA"}); got != "filtered" && !rules.phraseMatch(got, text) {
			t.Errorf("filtered rule %q at DATA: %q", text, got)
		}
	}
}

// TestRulesStatus checks every status code in rules/status.tsv classifies as its reason when
// nothing else is known.
func TestRulesStatus(t *testing.T) {
	if len(rules.status) < 80 {
		t.Fatalf("only %d status codes loaded", len(rules.status))
	}
	for code, want := range rules.status {
		got, _ := Classify(code, "", "")
		if got != want {
			t.Errorf("status %s: %q, want %q", code, got, want)
		}
	}
}

func TestClassifyTable(t *testing.T) {
	cases := []struct {
		status, reply, diag string
		reason              string
		hard                bool
	}{
		{"5.1.1", "550", "550 5.1.1 <a@example.org>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)", "userunknown", true},
		{"5.0.0", "550", "550 5.0.0 <a@example.org>: User unknown (in reply to end of DATA command)", "filtered", false},
		{"", "", "host mx.example.org said: 550 5.1.1 The email account that you tried to reach does not exist (in reply to RCPT TO command)", "userunknown", true},
		{"5.2.2", "552", "552 5.2.2 Mailbox full", "mailboxfull", false},
		{"4.2.2", "452", "452 4.2.2 The email account that you tried to reach is over quota", "mailboxfull", false},
		{"5.4.4", "", "Host or domain name not found. Name service error for name=nx.example type=A: Host not found", "hostunknown", true},
		{"5.7.1", "550", "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", "blocked", false},
		{"5.7.26", "550", "550 5.7.26 This message does not pass authentication checks (SPF and DKIM both do not pass)", "authfailure", false},
		{"4.7.0", "421", "421 4.7.0 Temporary System Problem. Try again later", "systemerror", false},
		{"5.3.4", "552", "552 5.3.4 Message size exceeds fixed maximum message size", "mesgtoobig", false},
		{"4.4.7", "", "delivery temporarily suspended: connect to mx.example.org: Connection timed out", "expired", false},
		{"5.1.10", "550", "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup (in reply to RCPT TO command)", "userunknown", true},
		{"", "", "", "undefined", false},
		{"2.0.0", "250", "250 2.0.0 OK", "delivered", false},
		{"5.1.0", "550", "550 5.1.0 Sender rejected", "rejected", false},
		{"", "554", "554 5.7.1 Relay access denied", "norelaying", false},
		{"5.7.1", "554", "554 5.7.1 Virus detected: Eicar-Test-Signature", "virusdetected", false},
		{"5.0.0", "550", "550 Account disabled", "suspend", false},
		{"5.1.6", "550", "550 5.1.6 recipient no longer on server", "hasmoved", true},
		{"5.7.1", "550", "550 5.7.1 Message rejected as spam by Content Filtering", "spamdetected", false},
		{"", "556", "556 5.1.10 Recipient address has null MX", "notaccept", true},
		{"4.7.1", "421", "421 4.7.1 Mail sent from your IP address has been temporarily rate limited", "speeding", false},
		{"5.7.25", "550", "550 5.7.25 The IP address sending this message does not have a PTR record setup", "requireptr", false},
	}
	for _, c := range cases {
		r, h := Classify(c.status, c.reply, c.diag)
		if r != c.reason || h != c.hard {
			t.Errorf("Classify(%q, %q, %q) = %s %v, want %s %v", c.status, c.reply, c.diag, r, h, c.reason, c.hard)
		}
	}
}

func TestRulesOrderNamesKnownReasons(t *testing.T) {
	for _, r := range slices.Concat(rules.statusPass, rules.wordPass) {
		if !knownReasons[r] {
			t.Errorf("order.tsv names %q", r)
		}
	}
}

func TestRulesCategories(t *testing.T) {
	for k, want := range rules.categories {
		raw := "From: MAILER-DAEMON@mx.example\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; c@d.example\r\nAction: failed\r\nStatus: 5.0.0\r\n" + k[0] + ": " + k[1] + "\r\n--x--\r\n"
		rep, err := Parse([]byte(raw))
		if err != nil || len(rep.Recipients) != 1 || rep.Recipients[0].Reason != want {
			t.Errorf("%s: %s: %v %+v, want %s", k[0], k[1], err, rep, want)
		}
	}
}

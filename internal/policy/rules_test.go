package policy

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// TestEveryRuleCites checks that every compiled reason has a rule id, a citation and a
// sentence that names its rule.
func TestEveryRuleCites(t *testing.T) {
	p := Default()
	if p.Version() != "2026-11-25" {
		t.Errorf("version = %q", p.Version())
	}
	idRe := regexp.MustCompile(`^(src-(\d\d|11b)|con-\d\d|soi-\d\d|li-\d\d|casl-\d\d|tcpa-\d\d|svc-\d\d|ccpa-\d\d|chn-\d\d|sts-\d\d|dnc-\d\d|vfy-\d\d|jur-[a-z-]+)$`)
	if len(p.all) < 60 {
		t.Fatalf("only %d reasons compiled", len(p.all))
	}
	for _, r := range p.all {
		if !idRe.MatchString(r.RuleID) {
			t.Errorf("rule id %q does not follow the naming scheme", r.RuleID)
		}
		if strings.TrimSpace(r.Citation) == "" {
			t.Errorf("rule %s has no citation", r.RuleID)
		}
		if !strings.HasSuffix(r.Text, "(rule "+r.RuleID+")") || len(r.Text) < 30 {
			t.Errorf("rule %s: text %q must be a sentence ending with its rule id", r.RuleID, r.Text)
		}
		prefix := r.Outcome.String() + ":"
		if r.Outcome != OutcomeWarning && !strings.HasPrefix(r.Text, prefix) {
			t.Errorf("rule %s: text %q should start with %q", r.RuleID, r.Text, prefix)
		}
	}
	for i := range numWarnings {
		if w := Warnings(1 << i).List(); len(w) != 1 || w[0].RuleID == "" || w[0].Text == "" {
			t.Errorf("warning %d: %+v", i, w)
		}
	}
}

// TestSourceTable checks that the SPEC §3 cases and clearlist's own channels each have one
// rule with the expected default.
func TestSourceTable(t *testing.T) {
	p := Default()
	want := map[string]string{"1": "refuse", "2": "refuse", "3": "conditional", "4": "refuse", "5": "conditional",
		"6": "conditional", "7": "refuse", "8": "conditional", "9": "allow", "10": "conditional", "11": "allow",
		"11b": "conditional", "12": "refuse", "13": "conditional", "14": "conditional", "15": "conditional"}
	for _, info := range p.Sources() {
		if info.Case != "" {
			if want[info.Case] != info.Default {
				t.Errorf("case %s (%s): default %q, want %q", info.Case, info.Slug, info.Default, want[info.Case])
			}
			wantID := "src-" + info.Case
			if len(info.Case) == 1 {
				wantID = "src-0" + info.Case
			}
			if info.RuleID != wantID {
				t.Errorf("case %s: rule %s, want %s", info.Case, info.RuleID, wantID)
			}
			delete(want, info.Case)
		}
		if info.Citation == "" || info.Label == "" || info.Description == "" {
			t.Errorf("source %s lacks a label, description or citation: %+v", info.Slug, info)
		}
	}
	if len(want) != 0 {
		t.Errorf("cases without a source rule: %v", want)
	}
}

func TestBadRuleData(t *testing.T) {
	for _, c := range []struct{ name, from, to, msg string }{
		{"no version", `"version": "2026-11-25"`, `"version": ""`, "version is missing"},
		{"empty citation", `"citation": "CASL S.C. 2010, c. 23, s. 10(10)", "text": "implied`, `"citation": "", "text": "implied`, "needs an id, a citation"},
		{"unknown slug", `"slug": "raffle"`, `"slug": "lottery"`, "use one of"},
		{"bad default", `"case": "9", "label": "sign-up cards", "default": "allow"`, `"case": "9", "label": "sign-up cards", "default": "refuse"`, "does not match"},
		{"duplicate country", `"codes": ["SE"]`, `"codes": ["DE"]`, "listed twice"},
		{"bad regime", `"regime": "opt-out", "postal_address": true,`, `"regime": "maybe", "postal_address": true,`, "use consent or opt-out"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := strings.Replace(string(defaultRules), c.from, c.to, 1)
			if data == string(defaultRules) {
				t.Fatalf("test does not change the data: %q not found", c.from)
			}
			_, err := New([]byte(data), Options{})
			if err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("New = %v, want an error containing %q", err, c.msg)
			}
		})
	}
}

func TestErrorsListValidValues(t *testing.T) {
	if _, err := ParseSourceType("bought-list"); !errors.Is(err, ErrUnknownSourceType) ||
		!strings.Contains(err.Error(), "broker-purchase") || !strings.Contains(err.Error(), "b2b-public-research") {
		t.Errorf("ParseSourceType error = %v", err)
	}
	if st, err := ParseSourceType(" Trade-Fair-Organiser "); err != nil || st != SourceTradeFairOrganiser {
		t.Errorf("ParseSourceType tolerant form = %v, %v", st, err)
	}
	ps, err := NewPurposes(DefaultPurposes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Lookup("promo"); !errors.Is(err, ErrUnknownPurpose) ||
		!strings.Contains(err.Error(), "newsletter, product-updates, security-notices, surveys, partner-offers") {
		t.Errorf("Lookup error = %v", err)
	}
	if p, err := ps.Lookup("security-notices"); err != nil || p.Marketing || !p.Essential {
		t.Errorf("security-notices = %+v, %v", p, err)
	}
	if _, err := ParseChannel("fax"); !errors.Is(err, ErrUnknownChannel) || !strings.Contains(err.Error(), "email, phone, sms") {
		t.Errorf("ParseChannel error = %v", err)
	}
	if _, err := NewPurposes([]Purpose{{Name: "a", Marketing: true}, {Name: "a"}}); err == nil {
		t.Error("duplicate purpose accepted")
	}
	if _, err := NewPurposes([]Purpose{{Name: "x", Marketing: true, Essential: true}}); err == nil {
		t.Error("essential marketing purpose accepted")
	}
	var f Facts
	if err := f.Validate(); err == nil || !strings.Contains(err.Error(), "Source.Type") || !strings.Contains(err.Error(), "Now is not set") {
		t.Errorf("Validate = %v", err)
	}
	f = base(SourceAPI)
	if err := f.Validate(); err != nil {
		t.Errorf("Validate(valid) = %v", err)
	}
	f.Source.Type = 0
	if v := Evaluate(&f); v.Allowed || v.Decisive().RuleID != "src-00" {
		t.Errorf("unknown source type: %+v", v)
	}
	f = base(SourceAPI)
	f.Channel = 0
	if v := Evaluate(&f); v.Allowed || v.Decisive().RuleID != "chn-00" {
		t.Errorf("unknown channel: %+v", v)
	}
}

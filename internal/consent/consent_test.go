package consent

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

var at = time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.UTC)

func granted() Entry {
	return Entry{WorkspaceID: 1, ContactID: 7, Purpose: "newsletter", Channel: Email, Action: Granted,
		Basis: BasisConsent, Actor: "user:anna", Evidence: Evidence{Wording: "Yes, send me the newsletter",
			FormID: "footer", FormVersion: "3", IP: "192.0.2.1", UserAgent: "Firefox", Timestamp: at}}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(e *Entry)
		want string // "" = valid
	}{
		{"granted with evidence", func(e *Entry) {}, ""},
		{"unknown purpose name", func(e *Entry) { e.Purpose = "News Letter" }, "lower-case"},
		{"no purpose", func(e *Entry) { e.Purpose = "" }, "purpose is empty"},
		{"unknown channel", func(e *Entry) { e.Channel = "fax" }, `unknown channel "fax": use one of email, phone, sms`},
		{"unknown action", func(e *Entry) { e.Action = "deleted" }, "use one of granted, confirmed, withdrawn, expired, objected"},
		{"unknown basis", func(e *Entry) { e.Basis = "vibes" }, "use one of consent, double-opt-in, soft-opt-in, legitimate-interest, contract"},
		{"no contact", func(e *Entry) { e.ContactID = 0 }, "no contact"},
		{"no actor", func(e *Entry) { e.Actor = " " }, "no actor"},
		{"consent without wording", func(e *Entry) { e.Evidence.Wording = "" }, "wording shown"},
		{"consent without time", func(e *Entry) { e.Evidence.Timestamp = time.Time{} }, "time the person agreed"},
		{"soft opt-in needs no wording", func(e *Entry) { e.Basis, e.Evidence.Wording = BasisSoftOptIn, "" }, ""},
		{"implied consent is only recorded as lapsed", func(e *Entry) { e.Basis = BasisImpliedConsent }, "only its lapse is recorded"},
		{"lapsed implied consent", func(e *Entry) { e.Basis, e.Action = BasisImpliedConsent, Expired }, ""},
		{"confirmed needs double opt-in", func(e *Entry) { e.Action = Confirmed }, "needs basis double-opt-in"},
		{"confirmed", func(e *Entry) { e.Action, e.Basis = Confirmed, BasisDoubleOptIn }, ""},
		{"withdrawn without wording", func(e *Entry) { e.Action, e.Evidence = Withdrawn, Evidence{Timestamp: at} }, ""},
		{"withdrawn without time", func(e *Entry) { e.Action, e.Evidence = Withdrawn, Evidence{} }, "withdrawn needs the time"},
		{"objected without time", func(e *Entry) { e.Action, e.Evidence = Objected, Evidence{} }, "objected needs the time"},
		{"expired needs nothing", func(e *Entry) { e.Action, e.Evidence, e.Actor = Expired, Evidence{}, "system:expiry" }, ""},
		{"bad IP", func(e *Entry) { e.Evidence.IP = "300.1.1.1" }, "not an IP address"},
		{"invalid UTF-8", func(e *Entry) { e.Evidence.Wording = "yes \xff" }, "not valid UTF-8"},
		{"NUL byte", func(e *Entry) { e.Evidence.UserAgent = "a\x00b" }, "NUL byte"},
		{"too long", func(e *Entry) { e.Evidence.Wording = strings.Repeat("x", maxText+1) }, "longer than"},
		{"year out of range", func(e *Entry) { e.Evidence.Timestamp = time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC) }, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := granted()
			tt.edit(&e)
			err := Validate(e)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Validate = %v, want an error containing %q", err, tt.want)
			case err != nil && !errors.Is(err, ErrInvalid):
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestValidatePurpose(t *testing.T) {
	for _, p := range DefaultPurposes() {
		if err := ValidatePurpose(p); err != nil {
			t.Errorf("default purpose %q: %v", p.Name, err)
		}
	}
	for _, bad := range []string{"", "-x", "x-", "Newsletter", "a b", strings.Repeat("a", 65)} {
		if err := ValidatePurpose(Purpose{Name: bad}); !errors.Is(err, ErrInvalid) {
			t.Errorf("purpose %q accepted", bad)
		}
	}
}

// TestHashCoversEveryField changes each field in turn: every change must change the hash.
func TestHashCoversEveryField(t *testing.T) {
	base := granted()
	base.ID, base.Seq, base.SourceID, base.RecordedAt, base.PrevHash = 3, 2, 5, at, Genesis
	base.Evidence.DocumentRef, base.Evidence.Collector = "scan-1", "anna"
	edits := map[string]func(e *Entry){
		"ID": func(e *Entry) { e.ID++ }, "Seq": func(e *Entry) { e.Seq++ },
		"WorkspaceID": func(e *Entry) { e.WorkspaceID++ }, "ContactID": func(e *Entry) { e.ContactID++ },
		"Purpose": func(e *Entry) { e.Purpose = "surveys" }, "Channel": func(e *Entry) { e.Channel = SMS },
		"Action": func(e *Entry) { e.Action = Withdrawn }, "Basis": func(e *Entry) { e.Basis = BasisContract },
		"Wording": func(e *Entry) { e.Evidence.Wording += "." }, "FormID": func(e *Entry) { e.Evidence.FormID = "x" },
		"FormVersion": func(e *Entry) { e.Evidence.FormVersion = "4" }, "IP": func(e *Entry) { e.Evidence.IP = "192.0.2.2" },
		"UserAgent":   func(e *Entry) { e.Evidence.UserAgent = "Chrome" },
		"Timestamp":   func(e *Entry) { e.Evidence.Timestamp = e.Evidence.Timestamp.Add(time.Microsecond) },
		"DocumentRef": func(e *Entry) { e.Evidence.DocumentRef = "scan-2" },
		"Collector":   func(e *Entry) { e.Evidence.Collector = "ben" }, "SourceID": func(e *Entry) { e.SourceID = 0 },
		"Actor":      func(e *Entry) { e.Actor = "token:1" },
		"RecordedAt": func(e *Entry) { e.RecordedAt = e.RecordedAt.Add(time.Second) },
		"PrevHash":   func(e *Entry) { e.PrevHash = bytes.Repeat([]byte{1}, 32) },
		// Moving bytes between adjacent fields must not collide (length prefixes).
		"FormID/FormVersion": func(e *Entry) { e.Evidence.FormID, e.Evidence.FormVersion = "footer3", "" },
	}
	h := Hash(base)
	if len(h) != 32 {
		t.Fatalf("hash is %d bytes", len(h))
	}
	for name, edit := range edits {
		e := base
		edit(&e)
		if bytes.Equal(Hash(e), h) {
			t.Errorf("changing %s leaves the hash unchanged", name)
		}
	}
	// What the databases keep (UTC, microseconds) hashes the same as what was given.
	e := base
	e.Evidence.Timestamp = at.In(time.FixedZone("CET", 3600)).Truncate(time.Microsecond)
	e.Hash = Digest("ignored")
	if !bytes.Equal(Hash(e), h) {
		t.Error("the hash depends on the time zone or on sub-microsecond precision")
	}
}

func testChain(n int) []Entry {
	out := make([]Entry, n)
	prev := Genesis
	for i := range out {
		e := granted()
		e.ID, e.Seq, e.PrevHash, e.RecordedAt = int64(10+i), int64(i+1), prev, at.Add(time.Duration(i)*time.Second)
		if i%2 == 1 {
			e.Action, e.Evidence = Withdrawn, Evidence{Timestamp: at}
		}
		e.Hash = Hash(e)
		prev, out[i] = e.Hash, e
	}
	return out
}

func TestVerifyChain(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(c []Entry) []Entry
		wantID int64 // 0 = intact
		reason string
	}{
		{"intact", func(c []Entry) []Entry { return c }, 0, ""},
		{"empty", func(c []Entry) []Entry { return nil }, 0, ""},
		{"changed evidence", func(c []Entry) []Entry { c[2].Evidence.Wording = "No"; return c }, 12, "hash mismatch"},
		{"changed and rehashed", func(c []Entry) []Entry {
			c[2].Evidence.Wording = "No"
			c[2].Hash = Hash(c[2])
			return c
		}, 13, "prev-hash mismatch"},
		{"removed entry", func(c []Entry) []Entry { return slices.Delete(c, 1, 2) }, 12, "sequence gap"},
		{"swapped entries", func(c []Entry) []Entry { c[1], c[2] = c[2], c[1]; return c }, 12, "sequence gap"},
		{"other workspace", func(c []Entry) []Entry { c[3].WorkspaceID = 2; return c }, 13, "workspace"},
		{"first entry not genesis", func(c []Entry) []Entry { c[0].PrevHash = c[1].Hash; return c }, 10, "prev-hash mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := VerifyChain(slices.Values(tt.edit(testChain(5))))
			switch {
			case tt.wantID == 0 && b != nil:
				t.Fatalf("VerifyChain = %v, want intact", b)
			case tt.wantID != 0 && (b == nil || b.EntryID != tt.wantID || !strings.Contains(b.Reason, tt.reason)):
				t.Fatalf("VerifyChain = %v, want a break at %d (%s)", b, tt.wantID, tt.reason)
			}
		})
	}
}

func TestState(t *testing.T) {
	if s := State(nil); s.State != StateNone || s.Entry != nil || s.Active() {
		t.Fatalf("State(nil) = %+v", s)
	}
	c := testChain(4) // granted, withdrawn, granted, withdrawn
	if s := State(c[:3]); s.State != StateGranted || s.Entry.ID != 12 || !s.Active() {
		t.Fatalf("after re-grant: %+v", s)
	}
	shuffled := []Entry{c[3], c[0], c[2], c[1]}
	if s := State(shuffled); s.State != StateWithdrawn || s.Entry.ID != 13 || s.Active() {
		t.Fatalf("withdrawal must win as the latest entry: %+v", s)
	}
	sms := c[0]
	sms.Channel, sms.Seq = SMS, 9
	all := States(append(c, sms))
	if len(all) != 2 || all[Key{"newsletter", Email}].State != StateWithdrawn || all[Key{"newsletter", SMS}].State != StateGranted {
		t.Fatalf("States = %+v", all)
	}
}

func TestDigestText(t *testing.T) {
	d := Hash(granted())
	b, _ := d.MarshalText()
	var back Digest
	if err := back.UnmarshalText(b); err != nil || !bytes.Equal(back, d) || d.String() != string(b) {
		t.Fatalf("digest round trip: %s -> %s, %v", d, back, err)
	}
}

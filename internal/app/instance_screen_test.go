package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
)

// TestInstanceEntryScreensEveryPath: an instance-wide entry blocks its person on every
// screening path — single and batch eligibility (campaign verdicts), check, exports, call
// lists and file screening — while the workspace's own list is empty.
func TestInstanceEntryScreensEveryPath(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		ws := a.Workspace.ID
		path := writeFile(t, "two.csv", []byte("email,phone\nblocked@example.org,+49 30 1234567\nopen@example.org,+49 30 7654321\n"))
		importFile(t, a, path, func(r *contact.ImportRequest) { r.List = "calls" })
		for _, e := range []string{"blocked@example.org", "open@example.org"} {
			c, err := a.st.ContactByEmail(ctx, ws, e)
			if err != nil {
				t.Fatal(err)
			}
			ledger(t, a, c, "newsletter", consent.Email, "gc")
		}
		suppressOne(t, a, store.InstanceWorkspace, suppress.Intake{Value: "blocked@example.org", Reason: "manual"})
		if own, err := a.Suppressions.Entries(ctx, ws, suppress.Filter{}); err != nil || len(own) != 0 {
			t.Fatalf("the workspace's own list must be empty for this test: %v, %v", own, err)
		}

		for email, want := range map[string]bool{"blocked@example.org": false, "open@example.org": true} {
			got, err := a.Elig.Eligibility(ctx, ws, email, "newsletter", "email")
			if err != nil {
				t.Fatal(err)
			}
			if got.Allowed != want {
				t.Errorf("Eligibility(%s) allowed = %v, want %v (%+v)", email, got.Allowed, want, got.Reasons)
			}
			checkContactable(t, a, ws, email, "email", "newsletter", want)
		}

		allowed := map[string]bool{}
		err := a.Elig.Batch(ctx, ws, "newsletter", "email", 0, func(id int64, v *policy.Verdict) error {
			c, err := a.st.Contact(ctx, ws, id)
			if err != nil {
				return err
			}
			var flat policy.Eligibility
			flat.Flatten(v)
			allowed[c.Email] = flat.Allowed
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if allowed["blocked@example.org"] || !allowed["open@example.org"] {
			t.Errorf("EligibilityBatch allowed = %v; want only open@example.org", allowed)
		}

		for _, format := range []string{"csv", "jsonl"} {
			out := exportString(t, a, imports.ExportRequest{Format: format})
			if strings.Contains(out, "blocked@") || !strings.Contains(out, "open@") {
				t.Errorf("%s export keeps the instance-blocked contact or drops the other:\n%s", format, out)
			}
		}

		var calls bytes.Buffer
		rep, err := a.Suppressions.CallList(ctx, ws, "calls", "", time.Now(), suppress.Window{Start: 0, End: 24 * time.Hour}, &calls)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Suppressed != 1 || strings.Contains(calls.String(), "blocked@") || !strings.Contains(calls.String(), "open@") {
			t.Errorf("call list: %+v\n%s", rep, calls.String())
		}

		var screened bytes.Buffer
		srep, err := a.Suppressions.ScreenFile(ctx, ws, strings.NewReader("email\nblocked@example.org\nopen@example.org\n"), &screened, "", "email", "")
		if err != nil {
			t.Fatal(err)
		}
		if srep.Blocked != 1 || strings.Contains(screened.String(), "blocked@") {
			t.Errorf("screened file: %+v\n%s", srep, screened.String())
		}
	})
}

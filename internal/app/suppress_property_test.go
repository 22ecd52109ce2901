package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
)

// TestSuppressProperty: for random interleavings of adds (in random spellings and scopes),
// removals and erasures, no allowed verdict of a campaign batch, no export row and no call
// list row ever reaches an identifier that is suppressed in scope — and nothing that is not
// suppressed is held back.
func TestSuppressProperty(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		// DefaultRegion: numbers written without +1.
		a, err := Open(ctx, config.Config{DB: dsn, Workspace: "default", LogLevel: "error", DefaultRegion: "US"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		ws := a.Workspace.ID
		const n = 24
		var csvb strings.Builder
		csvb.WriteString("email,phone\n")
		for i := range n {
			fmt.Fprintf(&csvb, "person.%d@gmail.com,+1 212 555 %04d\n", i, 100+i)
		}
		importFile(t, a, writeFile(t, "people.csv", []byte(csvb.String())), func(r *contact.ImportRequest) {
			r.List = "calls"
			r.Source = contact.Source{Type: "web-form-double-opt-in"}
		})
		var people []contact.Contact
		if err := a.st.EachContact(ctx, ws, store.ContactFilter{}, func(c contact.Contact) error {
			people = append(people, c)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for i, c := range people {
			if c.Email != fmt.Sprintf("person.%d@gmail.com", i) || c.Phone != fmt.Sprintf("+1212555%04d", 100+i) {
				t.Fatalf("contact %d is %s %s; the model expects the file's row %d", i, c.Email, c.Phone, i)
			}
			ledger(t, a, c, "newsletter", consent.Email, "gc")
		}
		// The model knows by construction whom each added value spells (every spelling below
		// is one of the person's identifiers, or the domain all of them share) and what each
		// scope covers; it uses nothing of the suppress package.
		type entry struct {
			id               int64
			person           int    // index into people; -1 for the gmail.com domain
			channel, purpose string // the scope, "" for any
			hash             []byte
		}
		var live []entry
		isBlocked := func(person int, channel, purpose string) bool {
			for _, e := range live {
				// An empty channel or purpose in the question means "not known": every scope covers it.
				if (e.person == person || e.person == -1) &&
					(e.channel == "" || channel == "" || e.channel == channel) &&
					(e.purpose == "" || purpose == "" || e.purpose == purpose) {
					return true
				}
			}
			return false
		}
		r := rand.New(rand.NewPCG(11, uint64(len(dsn))))
		scopes := []struct{ text, channel, purpose string }{{"all", "", ""}, {"email", "email", ""}, {"phone", "phone", ""},
			{"sms", "sms", ""}, {"purpose:newsletter", "", "newsletter"}, {"email:newsletter", "email", "newsletter"},
			{"purpose:surveys", "", "surveys"}, {"phone:surveys", "phone", "surveys"}}
		at := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC) // 13:00 in New York
		for step := range 120 {
			k := r.IntN(len(people))
			switch op := r.IntN(10); {
			case op < 5: // add, in some spelling
				var value, kind string
				person := k
				switch r.IntN(5) {
				case 0:
					value, kind = fmt.Sprintf("PERSON.%d@GMAIL.COM", k), "email"
				case 1:
					value, kind = fmt.Sprintf("person.%d+promo@gmail.com", k), "email"
				case 2:
					value, kind = fmt.Sprintf("per.son%d@gmail.com", k), "email" // Gmail ignores dots
				case 3:
					value, kind = fmt.Sprintf("(212) 555-%04d", 100+k), "phone"
				default:
					value, kind = fmt.Sprintf("+1 212 555 %04d", 100+k), "phone"
				}
				if r.IntN(40) == 0 {
					value, kind, person = "GMAIL.com", "domain", -1 // a domain entry, now and then
				}
				sc := scopes[r.IntN(len(scopes))]
				req := suppress.Intake{Value: value, Kind: kind, Reason: "manual", Scope: sc.text, By: "prop"}
				added, _, err := a.Suppressions.Suppress(ctx, ws, []suppress.Intake{req})
				if err != nil {
					if strings.Contains(err.Error(), "cannot be limited") {
						continue // an address limited to the phone channel: refused, as it should be
					}
					t.Fatalf("step %d: add %q %s: %v", step, value, sc.text, err)
				}
				for _, e := range added {
					live = append(live, entry{e.ID, person, sc.channel, sc.purpose, e.Hash})
				}
			case op < 7 && len(live) > 0: // remove
				i := r.IntN(len(live))
				if _, err := a.Suppressions.Unsuppress(ctx, ws, live[i].id, "prop", "test removal", store.RoleAdmin); err != nil {
					t.Fatalf("step %d: remove: %v", step, err)
				}
				live = append(live[:i], live[i+1:]...)
			case op < 8 && len(live) > 0: // erase the clear value: the hash still blocks
				if _, err := a.st.EraseSuppressionValues(ctx, ws, live[r.IntN(len(live))].hash, "prop"); err != nil {
					t.Fatal(err)
				}
			default: // send: a campaign batch, an export and a call list
				err := a.Elig.Batch(ctx, ws, "newsletter", "email", 0, func(id int64, v *policy.Verdict) error {
					for i, p := range people {
						if p.ID == id && v.Allowed == isBlocked(i, "email", "newsletter") {
							return fmt.Errorf("step %d: contact %s allowed=%v, blocked in the model=%v (%v)", step, p.Email, v.Allowed, isBlocked(i, "email", "newsletter"), live)
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				var exp bytes.Buffer
				if _, err := a.Imports.Export(ctx, a.Workspace.ID, &exp, imports.ExportRequest{}); err != nil {
					t.Fatal(err)
				}
				rows, _ := csv.NewReader(&exp).ReadAll()
				exported := map[string]bool{}
				for _, row := range rows[1:] {
					exported[row[0]] = true
				}
				for i, p := range people {
					if exported[p.Email] == isBlocked(i, "", "") {
						t.Fatalf("step %d: export has %s = %v; blocked in the model = %v", step, p.Email, exported[p.Email], isBlocked(i, "", ""))
					}
				}
				var cl bytes.Buffer
				if _, err := a.Suppressions.CallList(ctx, ws, "calls", "", at, suppress.DefaultWindow, &cl); err != nil {
					t.Fatal(err)
				}
				rows, _ = csv.NewReader(&cl).ReadAll()
				listed := map[string]bool{}
				for _, row := range rows[1:] {
					listed[row[2]] = true
				}
				for i, p := range people {
					if listed[p.Phone] == isBlocked(i, "phone", "") {
						t.Fatalf("step %d: call list has %s = %v; blocked in the model = %v", step, p.Phone, listed[p.Phone], isBlocked(i, "phone", ""))
					}
				}
			}
		}
	})
}

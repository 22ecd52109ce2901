package app

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
)

// TestPublicRequestsProperty sends random sequences of public requests (sign-ups, confirm
// clicks, stop requests) with random addresses, domains and numbers to the real server and
// checks after every request: no domain entry is ever created, no consent of an address the
// request was not about changes, a confirmed consent is never weakened, and no mail reaches
// an address on the do-not-contact list (the real SMTP relay's mailbox is read).
func TestPublicRequestsProperty(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		seed := uint64(time.Now().UnixNano())
		steps := 60
		if strings.HasPrefix(dsn, "postgres") {
			steps = 40
		}
		t.Logf("seed %d", seed)
		r := rand.New(rand.NewPCG(seed, 7))
		ctx := context.Background()
		e, clk := newPublicEnv(t, dsn)
		st, ws := e.a.st, e.a.Workspace.ID
		// The model: addresses by their lower-case form, built here by hand (not with the code
		// under test), and what is known to be on the do-not-contact list.
		var pool []string
		for i := range 6 {
			pool = append(pool, fmt.Sprintf("p%d@site%d.example", i, i%3))
		}
		pool = append(pool, "x@blocked.example", "pre@site0.example")
		domains := []string{"gmail.com", "site0.example", "site1.example.", "co.uk", "blocked.example"}
		numbers := []string{"+44 20 7946 0958", "+1 202 555 0143", "020 7946 0000"}
		suppressed := map[string]bool{"pre@site0.example": true, "x@blocked.example": true}
		if _, _, err := e.a.Suppressions.Suppress(ctx, ws, []suppress.Intake{{Value: "pre@site0.example", Reason: "request-email", By: "t"},
			{Kind: "domain", Value: "blocked.example", Reason: "manual", By: "t"}}); err != nil {
			t.Fatal(err)
		}
		domainEntries := len(suppressions(t, st, ws, "domain"))
		variant := func(a string) string { // the same address as a person might type it
			if r.IntN(3) == 0 {
				return strings.ToUpper(a[:1]) + a[1:]
			}
			return a
		}
		for i := range steps {
			before := consentSnapshot(t, st, ws, pool)
			mailsBefore := map[string]int{}
			for _, a := range pool {
				mailsBefore[a] = e.mailsTo(a)
			}
			var about, what string
			switch k := r.IntN(10); {
			case k < 5: // sign up an address, or try a domain or number as one
				v := pool[r.IntN(len(pool))]
				about = v
				if r.IntN(5) == 0 {
					v, about = pick(r, domains, numbers), ""
				}
				purposes := []string{"newsletter", "surveys"}[:1+r.IntN(2)]
				what = "subscribe " + v
				e.postJSON(t, "default", jsonSignup(variant(v), purposes...))
			case k < 7: // click a link some address was mailed
				to, link := e.anyLink(r)
				if link == "" {
					continue
				}
				about, what = strings.ToLower(to), "confirm for "+to
				e.postForm(t, "/confirm", url.Values{"token": {tokenOf(t, link)}}, "ua")
			default: // ask to stop: one's address, a domain or a number
				v := pick(r, pool, domains, numbers)
				what = "stop " + v
				code, _ := e.postForm(t, "/stop/default", url.Values{"value": {variant(v)}}, "ua")
				if code == 200 && strings.Contains(v, "@") {
					suppressed[v] = true
				}
			}
			clk.add(time.Duration(r.IntN(40)) * time.Minute)

			if n := len(suppressions(t, st, ws, "domain")); n != domainEntries {
				t.Fatalf("step %d (%s): %d domain entries, want %d", i, what, n, domainEntries)
			}
			after := consentSnapshot(t, st, ws, pool)
			for _, a := range pool {
				if a != about && !maps.Equal(after[a], before[a]) {
					t.Fatalf("step %d (%s) changed the consent of %s: %v → %v", i, what, a, before[a], after[a])
				}
				for p, s := range before[a] {
					if s == consent.StateConfirmed && after[a][p] != consent.StateConfirmed {
						t.Fatalf("step %d (%s) weakened %s's confirmed %s to %s", i, what, a, p, after[a][p])
					}
				}
				if suppressed[a] && e.mailsTo(a) != mailsBefore[a] {
					t.Fatalf("step %d (%s) mailed %s, who is on the do-not-contact list", i, what, a)
				}
			}
		}
		for a := range suppressed {
			if a == "pre@site0.example" || a == "x@blocked.example" {
				if n := e.mailsTo(a); n != 0 {
					t.Fatalf("%d mails to %s, suppressed from the start", n, a)
				}
			}
		}
		verifyChain(t, st, ws)
	})
}

func pick(r *rand.Rand, sets ...[]string) string {
	s := sets[r.IntN(len(sets))]
	return s[r.IntN(len(s))]
}

// consentSnapshot is each address's state per purpose (no contact: an empty map).
func consentSnapshot(t *testing.T, st *store.Store, ws int64, pool []string) map[string]map[string]consent.StateName {
	t.Helper()
	out := map[string]map[string]consent.StateName{}
	for _, a := range pool {
		out[a] = map[string]consent.StateName{}
		c, err := st.ContactByEmail(context.Background(), ws, a)
		if err != nil {
			continue
		}
		entries, err := st.ConsentsForContact(context.Background(), ws, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for k, s := range consent.States(entries) {
			out[a][k.Purpose+"/"+string(k.Channel)] = s.State
		}
	}
	return out
}

// mailsTo counts the mails the relay received for an address, however its case was typed.
func (e *doiEnv) mailsTo(addr string) int {
	e.mail.mu.Lock()
	defer e.mail.mu.Unlock()
	n := 0
	for to, bodies := range e.mail.got {
		if strings.EqualFold(to, addr) {
			n += len(bodies)
		}
	}
	return n
}

// anyLink returns a random confirmation link the relay carried, and its recipient.
func (e *doiEnv) anyLink(r *rand.Rand) (to, link string) {
	e.mail.mu.Lock()
	defer e.mail.mu.Unlock()
	type mail struct{ to, body string }
	var all []mail
	for to, bodies := range e.mail.got {
		for _, b := range bodies {
			all = append(all, mail{to, b})
		}
	}
	if len(all) == 0 {
		return "", ""
	}
	slices.SortStableFunc(all, func(a, b mail) int { return strings.Compare(a.to, b.to) }) // same seed, same pick
	m := all[r.IntN(len(all))]
	return m.to, linkRE.FindString(m.body)
}

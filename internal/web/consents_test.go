package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// newContact creates a contact through the API and returns its id.
func (e *testEnv) newContact(email string) int64 {
	e.t.Helper()
	r := e.do("POST", "/api/v1/contacts", map[string]any{"email": email, "source": apiSource})
	want(e.t, r, http.StatusCreated)
	return int64(r.json(e.t)["id"].(float64))
}

func grantBody() map[string]any {
	return map[string]any{"purpose": "newsletter", "channel": "email", "action": "granted", "basis": "consent",
		"evidence": map[string]any{"wording": "Yes, send me the newsletter", "form_id": "footer", "form_version": "3",
			"ip": "192.0.2.1", "user_agent": "Firefox", "timestamp": "2026-03-01T09:30:00Z"}}
}

func TestConsentAPI(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		id := e.newContact("ada@example.com")
		path := fmt.Sprintf("/api/v1/contacts/%d/consents", id)

		r := e.do("POST", path, grantBody())
		want(t, r, http.StatusCreated)
		var first consent.Entry
		if err := json.Unmarshal(r.body, &first); err != nil {
			t.Fatal(err)
		}
		if first.ID == 0 || first.Seq != 1 || first.ContactID != id || first.Action != consent.Granted ||
			!first.PrevHash.Equal(consent.Genesis) || len(first.Hash) != 32 || first.RecordedAt.IsZero() ||
			!strings.HasPrefix(first.Actor, "token:") || first.Evidence.Wording != "Yes, send me the newsletter" {
			t.Fatalf("granted entry: %s", r.body)
		}
		if h := r.json(t)["hash"].(string); h != first.Hash.String() || len(h) != 64 {
			t.Fatalf("hash %q is not hex", h)
		}

		r = e.do("POST", path, map[string]any{"purpose": "newsletter", "channel": "email", "action": "withdrawn",
			"basis": "consent", "evidence": map[string]any{"timestamp": "2026-03-02T10:00:00Z", "collector": "unsubscribe link"}})
		want(t, r, http.StatusCreated)
		var second consent.Entry
		if err := json.Unmarshal(r.body, &second); err != nil {
			t.Fatal(err)
		}
		if second.Seq != 2 || !second.PrevHash.Equal(first.Hash) {
			t.Fatalf("withdrawn entry does not link to the first: %s", r.body)
		}

		r = e.do("GET", path, nil)
		want(t, r, http.StatusOK)
		var got struct {
			Entries []consent.Entry `json:"entries"`
			States  []consentState  `json:"states"`
		}
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Entries) != 2 || got.Entries[0].ID != first.ID || got.Entries[1].ID != second.ID ||
			!got.Entries[1].Hash.Equal(second.Hash) {
			t.Fatalf("entries: %s", r.body)
		}
		if len(got.States) != 1 || got.States[0].Purpose != "newsletter" || got.States[0].Channel != consent.Email ||
			got.States[0].State != consent.StateWithdrawn || got.States[0].Active || got.States[0].EntryID != second.ID {
			t.Fatalf("states: %s", r.body)
		}
		if s, err := st.ConsentState(t.Context(), e.ws, id, "newsletter", consent.Email); err != nil || s.State != consent.StateWithdrawn {
			t.Fatalf("stored state = %+v, %v", s, err)
		}

		// A contact without entries has empty lists, not null.
		r = e.do("GET", fmt.Sprintf("/api/v1/contacts/%d/consents", e.newContact("bob@example.com")), nil)
		want(t, r, http.StatusOK)
		if b := r.json(t); len(b["entries"].([]any)) != 0 || len(b["states"].([]any)) != 0 {
			t.Fatalf("no entries: %s", r.body)
		}
		want(t, e.do("GET", "/api/v1/contacts/999999/consents", nil), http.StatusNotFound)
	})
}

func TestConsentAPIOtherWorkspace(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		id := e.newContact("ada@example.com")
		other, err := st.EnsureWorkspace(t.Context(), "other")
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := st.CreateToken(t.Context(), other.ID, "intruder")
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/contacts/%d/consents", id)
		want(t, e.doAs(secret, "POST", path, grantBody(), ""), http.StatusNotFound)
		want(t, e.doAs(secret, "GET", path, nil, ""), http.StatusNotFound)
		for _, ws := range []int64{e.ws, other.ID} {
			n := 0
			if err := st.EachConsent(t.Context(), ws, func(consent.Entry) error { n++; return nil }); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("workspace %d has %d entries after a refused write", ws, n)
			}
		}
		if es, err := st.ConsentsForContact(t.Context(), e.ws, id); err != nil || len(es) != 0 {
			t.Fatalf("contact's entries = %v, %v", es, err)
		}
	})
}

func TestConsentAPIInvalid(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		id := e.newContact("ada@example.com")
		path := fmt.Sprintf("/api/v1/contacts/%d/consents", id)
		edit := func(f func(b map[string]any)) map[string]any {
			b := grantBody()
			f(b)
			return b
		}
		for _, tc := range []struct {
			name string
			body map[string]any
			says string
		}{
			{"unknown action", edit(func(b map[string]any) { b["action"] = "deleted" }), "use one of granted, confirmed, withdrawn, expired, objected"},
			{"unknown purpose", edit(func(b map[string]any) { b["purpose"] = "offers" }), "use one of newsletter, partner-offers, product-updates"},
			{"unknown channel", edit(func(b map[string]any) { b["channel"] = "fax" }), "use one of email, phone, sms"},
			{"unknown basis", edit(func(b map[string]any) { b["basis"] = "vibes" }), "use one of consent, double-opt-in"},
			{"no wording", edit(func(b map[string]any) { delete(b["evidence"].(map[string]any), "wording") }), "wording"},
			{"unknown field", edit(func(b map[string]any) { b["colour"] = "red" }), "colour"},
			{"unknown evidence field", edit(func(b map[string]any) { b["evidence"].(map[string]any)["mood"] = "good" }),
				`key \"mood\" is unknown: use one of collector, document_ref, form_id, form_version, ip, prechecked, timestamp, user_agent, wording`},
			{"source evidence on an entry", edit(func(b map[string]any) { b["evidence"].(map[string]any)["written_permission"] = true }),
				"belongs to the contact's source"},
			{"unknown source", edit(func(b map[string]any) { b["source_id"] = 99999 }), "does not exist"},
			{"missing action", edit(func(b map[string]any) { delete(b, "action") }), "action"},
		} {
			r := e.do("POST", path, tc.body)
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), tc.says) {
				t.Errorf("%s: %d %s; want 422 saying %q", tc.name, r.status, short(r.body), tc.says)
			}
		}
		if es, err := st.ConsentsForContact(t.Context(), e.ws, id); err != nil || len(es) != 0 {
			t.Fatalf("invalid writes recorded %d entries (%v)", len(es), err)
		}
	})
}

func TestPurposeAPI(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		r := e.do("GET", "/api/v1/purposes", nil)
		want(t, r, http.StatusOK)
		if items := r.json(t)["items"].([]any); len(items) != len(consent.DefaultPurposes()) {
			t.Fatalf("default purposes: %s", r.body)
		}
		r = e.do("POST", "/api/v1/purposes", map[string]any{"name": "event-invites", "description": "invitations to events", "marketing": true})
		want(t, r, http.StatusCreated)
		if b := r.json(t); b["name"] != "event-invites" || b["marketing"] != true {
			t.Fatalf("created purpose: %s", r.body)
		}
		r = e.do("POST", "/api/v1/purposes", map[string]any{"name": "event-invites", "marketing": false})
		want(t, r, http.StatusConflict)
		want(t, e.do("POST", "/api/v1/purposes", map[string]any{"name": "Bad Name", "marketing": true}), http.StatusUnprocessableEntity)
		want(t, e.do("POST", "/api/v1/purposes", map[string]any{"name": "no-marketing-flag"}), http.StatusUnprocessableEntity)

		r = e.do("GET", "/api/v1/purposes", nil)
		want(t, r, http.StatusOK)
		if !strings.Contains(string(r.body), `"event-invites"`) {
			t.Fatalf("purposes after create: %s", r.body)
		}
		// The new purpose takes consent entries.
		id := e.newContact("ada@example.com")
		b := grantBody()
		b["purpose"] = "event-invites"
		want(t, e.do("POST", fmt.Sprintf("/api/v1/contacts/%d/consents", id), b), http.StatusCreated)
	})
}

func TestConsentOpenAPI(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	r := e.doAs("", "GET", "/api/openapi.json", nil, "")
	want(t, r, http.StatusOK)
	var doc struct {
		Paths map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	for path, methods := range map[string][]string{
		"/api/v1/contacts/{id}/consents": {"get", "post"},
		"/api/v1/purposes":               {"get", "post"},
	} {
		for _, m := range methods {
			if _, ok := doc.Paths[path][m]; !ok {
				t.Errorf("openapi lacks %s %s", m, path)
			}
		}
	}
}

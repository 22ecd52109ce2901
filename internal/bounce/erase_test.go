package bounce_test

import (
	"fmt"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/dsn"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestEraseClearsBounceData: erasing an address (the do-not-contact erasure) clears its
// bounce data in the same transaction — the events' address and detail, the kept messages'
// raw bytes and outcome, the queued replies' address and excerpt — and leaves another
// person's alone, with the audit chain intact.
func TestEraseClearsBounceData(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			p := parsed{}
			e := newEnv(t, eng.Open(t), "erase", 3, p)
			key, err := e.st.SigningKey(e.ctx, e.s.WS, bounce.VERPKeyName)
			if err != nil {
				t.Fatal(err)
			}
			hard := func(k int) *dsn.Report {
				return &dsn.Report{Kind: dsn.KindBounce, Original: dsn.Original{ReturnPath: deliver.VERPAddress(key, "b.example.org", e.s.WS, e.s.Campaign, e.s.Contacts[k])},
					Recipients: []dsn.Recipient{{Address: e.s.Addresses[k], Action: "failed", Status: "5.1.1",
						Diagnostic: "550 5.1.1 <" + e.s.Addresses[k] + ">: no such user"}}}
			}
			p["h0"], p["h1"] = hard(0), hard(1)
			p["unsure"] = &dsn.Report{Kind: dsn.KindReply, From: e.s.Addresses[0], Original: dsn.Original{ReturnPath: deliver.VERPAddress(key, "b.example.org", e.s.WS, e.s.Campaign, e.s.Contacts[0])},
				Text: "Hi, thanks for the spring newsletter. We read it every week and like the recipes a lot, and the new layout too. The bus stop near your shop moved, by the way."}
			rs, err := e.svc.IngestBatch(e.ctx, [][]byte{[]byte("h0"), []byte("h1"), []byte("unsure")}, bounce.ViaFile)
			if err != nil || rs[0].Events[0].Action != "undeliverable" || rs[2].Events[0].Action != "review" {
				t.Fatalf("IngestBatch = %+v, %v", rs, err)
			}
			if _, err := e.dnc.EraseIdentifier(e.ctx, e.s.WS, "email", "R000@example.com", "dsar"); err != nil {
				t.Fatal(err)
			}
			db := e.st.DB()
			evs := map[int64][2]string{} // contact → address, detail
			rows, err := db.QueryContext(e.ctx, fmt.Sprintf(`SELECT contact_id, address, detail FROM events WHERE workspace_id = %d`, e.s.WS))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var c int64
				var a, d string
				if err := rows.Scan(&c, &a, &d); err != nil {
					t.Fatal(err)
				}
				if c == e.s.Contacts[0] && (a != "" || d != "") {
					t.Errorf("event of the erased contact kept address %q, detail %q", a, d)
				}
				evs[c] = [2]string{a, d}
				n++
			}
			rows.Close()
			if n != 3 || evs[e.s.Contacts[1]][0] != e.s.Addresses[1] || evs[e.s.Contacts[1]][1] == "" {
				t.Errorf("events after the erasure: %d, %v (the other contact's must stay)", n, evs)
			}
			raws := map[int64]int{}
			rows, err = db.QueryContext(e.ctx, `SELECT id, LENGTH(raw) FROM inbound_messages`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				var l int
				if err := rows.Scan(&id, &l); err != nil {
					t.Fatal(err)
				}
				raws[id] = l
			}
			rows.Close()
			if raws[rs[0].MessageID] != 0 || raws[rs[2].MessageID] != 0 || raws[rs[1].MessageID] != len("h1") {
				t.Errorf("kept messages' sizes after the erasure: %v (erased: %d, %d; kept: %d)", raws, rs[0].MessageID, rs[2].MessageID, rs[1].MessageID)
			}
			sentTo := map[int64]string{}
			rows, err = db.QueryContext(e.ctx, fmt.Sprintf(`SELECT contact_id, address FROM deliveries WHERE workspace_id = %d`, e.s.WS))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var c int64
				var a string
				if err := rows.Scan(&c, &a); err != nil {
					t.Fatal(err)
				}
				sentTo[c] = a
			}
			rows.Close()
			if a, ok := sentTo[e.s.Contacts[0]]; !ok || a != "" || sentTo[e.s.Contacts[1]] != e.s.Addresses[1] {
				t.Errorf("send log after the erasure: %v (the erased contact's address must go, the other's stay)", sentTo)
			}
			rv, err := e.svc.Reviews(e.ctx, e.s.WS, false)
			if err != nil || len(rv) != 1 || rv[0].Address != "" || rv[0].Excerpt != "" {
				t.Errorf("review after the erasure: %+v, %v", rv, err)
			}
			storetest.VerifyAuditChain(t, e.st, e.s.WS)
			var actions []string
			if err := e.st.EachAuditEntry(e.ctx, e.s.WS, func(a audit.Entry) error {
				actions = append(actions, a.Action)
				return nil
			}); err != nil || actions[len(actions)-1] != "bounce.erase" {
				t.Errorf("audit trail ends %v, %v; want bounce.erase", actions[max(0, len(actions)-3):], err)
			}
		})
	}
}

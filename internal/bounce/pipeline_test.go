package bounce_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/dsn"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestPipelineStopReportsWhatWasWritten: when done fails, the pipeline stops — later
// batches are not written — and every batch that was written (the one written while done
// ran, at most) is still given to done, so a caller learns of every contact it bounced.
func TestPipelineStopReportsWhatWasWritten(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			p := parsed{}
			e := newEnv(t, eng.Open(t), "stop", 6, p)
			key, err := e.st.SigningKey(e.ctx, e.s.WS, bounce.VERPKeyName)
			if err != nil {
				t.Fatal(err)
			}
			for k := range 6 {
				p[fmt.Sprint("h", k)] = &dsn.Report{Kind: dsn.KindBounce,
					Original:   dsn.Original{ReturnPath: deliver.VERPAddress(key, "bounces.example.org", e.s.WS, e.s.Campaign, e.s.Contacts[k])},
					Recipients: []dsn.Recipient{{Address: e.s.Addresses[k], Action: "failed", Status: "5.1.1"}}}
			}
			stop := errors.New("the report could not be written")
			reported := map[int]bool{}
			pl := e.svc.Pipeline(e.ctx, bounce.ViaFile, func(tag any, rs []bounce.IngestResult, err error) error {
				if err != nil {
					t.Errorf("batch %v: %v", tag, err)
				}
				if len(rs) != 1 || len(rs[0].Events) != 1 || rs[0].Events[0].Action == "" {
					t.Errorf("batch %v: results %+v", tag, rs)
				}
				reported[tag.(int)] = true
				return stop
			})
			for k := range 6 {
				if err := pl.Add([][]byte{[]byte(fmt.Sprint("h", k))}, k); err != nil {
					if !errors.Is(err, stop) {
						t.Fatal(err)
					}
					break
				}
			}
			if err := pl.Close(); !errors.Is(err, stop) {
				t.Fatalf("Close = %v, want done's error", err)
			}
			bounced := 0
			for k, id := range e.s.Contacts[:6] {
				c, err := e.st.Contact(e.ctx, e.s.WS, id)
				if err != nil {
					t.Fatal(err)
				}
				if c.Status == contact.StatusBounced {
					bounced++
					if !reported[k] {
						t.Errorf("batch %d was written (contact bounced) but not given to done", k)
					}
				} else if reported[k] {
					t.Errorf("batch %d was given to done but not written", k)
				}
			}
			if bounced < 1 || bounced > 2 {
				t.Errorf("%d batches written after done failed on the first, want the first and at most one more", bounced)
			}
		})
	}
}

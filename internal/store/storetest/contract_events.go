package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/track"
)

// testEvents: opens and clicks are counted per campaign and kind, people's apart from
// machines', distinct contacts among people's, and never across workspaces or campaigns.
func testEvents(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a, b := ws(t, st, "ev-a"), ws(t, st, "ev-b")
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for _, e := range []track.Event{
		{Workspace: a, Campaign: 1, Contact: 10, Kind: track.EventOpen, At: at},
		{Workspace: a, Campaign: 1, Contact: 10, Kind: track.EventOpen, At: at.Add(time.Hour)},
		{Workspace: a, Campaign: 1, Contact: 11, Kind: track.EventOpen, At: at},
		{Workspace: a, Campaign: 1, Contact: 12, Kind: track.EventOpen, At: at, Machine: true, Rule: "apple-mail-privacy-protection"},
		{Workspace: a, Campaign: 1, Contact: 10, Kind: track.EventClick, At: at, URL: "https://shop.example/"},
		{Workspace: a, Campaign: 1, Kind: track.EventClick, At: at, URL: "https://shop.example/"}, // aggregate only
		{Workspace: a, Campaign: 2, Contact: 10, Kind: track.EventOpen, At: at},
		{Workspace: b, Campaign: 1, Contact: 10, Kind: track.EventOpen, At: at},
	} {
		if err := st.RecordEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.EventCounts(ctx, a, 1)
	want := []track.Count{{Kind: "click", People: 2, Unique: 1}, {Kind: "open", People: 3, Machine: 1, Unique: 2}}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("EventCounts = %+v, %v; want %+v", got, err, want)
	}
	if got, err := st.EventCounts(ctx, b, 2); err != nil || len(got) != 0 {
		t.Fatalf("another workspace's campaign: %+v, %v", got, err)
	}
}

package campaign

import (
	"fmt"
	"testing"
)

// TestAllowed pins the state machine: every pair of states, allowed or not.
func TestAllowed(t *testing.T) {
	all := []State{Draft, Scheduled, Sending, Paused, Finished, Cancelled}
	allowed := map[[2]State]bool{
		{Draft, Scheduled}: true, {Draft, Sending}: true, {Draft, Cancelled}: true,
		{Scheduled, Draft}: true, {Scheduled, Sending}: true, {Scheduled, Cancelled}: true,
		{Sending, Paused}: true, {Sending, Finished}: true, {Sending, Cancelled}: true,
		{Paused, Sending}: true, {Paused, Cancelled}: true,
		{Finished, Sending}: true, // a retry of failed or unknown deliveries
	}
	for _, from := range all {
		for _, to := range all {
			t.Run(fmt.Sprintf("%s-%s", from, to), func(t *testing.T) {
				if got := Allowed(from, to); got != allowed[[2]State{from, to}] {
					t.Fatalf("Allowed(%s, %s) = %v", from, to, got)
				}
			})
		}
	}
	for _, s := range all {
		if Editable(s) != (s == Draft || s == Scheduled) {
			t.Errorf("Editable(%s) = %v", s, Editable(s))
		}
	}
}

// TestTrip: the guard pauses above the thresholds only, and only with enough deliveries.
func TestTrip(t *testing.T) {
	def := Thresholds{Bounce: DefaultMaxBounceRate, Complaint: DefaultMaxComplaintRate}
	for _, tc := range []struct {
		name string
		w    Window
		t    Thresholds
		trip bool
	}{
		{"quiet", Window{Finished: 1000, Hard: 10}, def, false},
		{"at the line", Window{Finished: 1000, Hard: 50}, def, false},
		{"bounces over", Window{Finished: 1000, Hard: 51}, def, true},
		{"complaints over", Window{Finished: 1000, Complaints: 4}, def, true},
		{"too few to tell", Window{Finished: GuardMinSample - 1, Hard: GuardMinSample - 1}, def, false},
		{"guard off", Window{Finished: 1000, Hard: 900}, Thresholds{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			why, trip := Trip(tc.w, tc.t)
			if trip != tc.trip || trip && why == "" {
				t.Fatalf("Trip = %q, %v; want %v", why, trip, tc.trip)
			}
		})
	}
}

// TestBackoff: retries wait longer each time, up to an hour.
func TestBackoff(t *testing.T) {
	prev := Backoff(0)
	for n := 1; n < 10; n++ {
		if b := Backoff(n); b < prev || b > 60*60*1e9 {
			t.Fatalf("Backoff(%d) = %v after %v", n, b, prev)
		}
		prev = Backoff(n)
	}
}

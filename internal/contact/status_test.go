package contact

import (
	"errors"
	"testing"
)

// TestCheckStatusChange: leaving unsubscribed or blocked needs the right and a reason;
// everything else is free.
func TestCheckStatusChange(t *testing.T) {
	for _, tc := range []struct {
		from, to    Status
		mayOverrule bool
		reason      string
		want        error
	}{
		{StatusActive, StatusUnsubscribed, false, "", nil},
		{StatusActive, StatusBlocked, false, "", nil},
		{StatusBounced, StatusActive, false, "", nil},
		{StatusUnsubscribed, StatusBlocked, false, "", nil},
		{StatusUnsubscribed, StatusUnsubscribed, false, "", nil},
		{StatusUnsubscribed, StatusActive, false, "she asked", ErrStatusLift},
		{StatusUnsubscribed, StatusBounced, false, "she asked", ErrStatusLift},
		{StatusBlocked, StatusActive, false, "ok", ErrStatusLift},
		{StatusUnsubscribed, StatusActive, true, " ", ErrStatusReason},
		{StatusBlocked, StatusBounced, true, "", ErrStatusReason},
		{StatusUnsubscribed, StatusActive, true, "ticket 12", nil},
	} {
		if err := CheckStatusChange(tc.from, tc.to, tc.mayOverrule, tc.reason); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s → %s (overrule %v, reason %q) = %v, want %v", tc.from, tc.to, tc.mayOverrule, tc.reason, err, tc.want)
		}
	}
}

// TestCheckDelete: a do-not-contact contact is deleted only by a user who may overrule.
func TestCheckDelete(t *testing.T) {
	for _, st := range []Status{StatusActive, StatusBounced, StatusUnsubscribed, StatusBlocked} {
		dnc := st == StatusUnsubscribed || st == StatusBlocked
		if err := CheckDelete(st, false); errors.Is(err, ErrStatusLift) != dnc {
			t.Errorf("CheckDelete(%s, false) = %v", st, err)
		}
		if err := CheckDelete(st, true); err != nil {
			t.Errorf("CheckDelete(%s, true) = %v", st, err)
		}
	}
}

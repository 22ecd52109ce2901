package suppress

import (
	"errors"
	"strings"
	"testing"
)

func TestEntryValidate(t *testing.T) {
	k := testKeyer(t, 5)
	good, err := NewEntry(k, KindPhone, "+1 415 555 0123", Options{})
	must(t, err)
	good.Scope, good.Reason, good.ChannelIn = Scope{Channel: ChannelSMS}, ReasonRequestPhone, InPhone
	must(t, good.Validate())

	cases := []struct {
		change func(*Entry)
		want   string
	}{
		{func(e *Entry) { e.Kind = "fax" }, "unknown kind"},
		{func(e *Entry) { e.Scope = Scope{Channel: ChannelEmail} }, "phone entry cannot be limited to channel email"},
		{func(e *Entry) { e.Kind, e.Scope = KindEmail, Scope{Channel: ChannelSMS} }, "cannot be limited to channel sms"},
		{func(e *Entry) { e.Kind, e.Scope = KindDomain, Scope{Channel: ChannelPhone} }, "cannot be limited to channel phone"},
		{func(e *Entry) { e.Scope = Scope{Channel: "fax"} }, "unknown channel"},
		{func(e *Entry) { e.Scope = Scope{Purpose: "Bad Name"} }, "purpose"},
		{func(e *Entry) { e.Reason = "whim" }, "unknown reason"},
		{func(e *Entry) { e.ChannelIn = "pigeon" }, "unknown intake channel"},
		{func(e *Entry) { e.Hash = [32]byte{} }, "no hash"},
	}
	for _, c := range cases {
		e := good
		c.change(&e)
		err := e.Validate()
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate() = %v, want an ErrInvalid saying %q", err, c.want)
		}
	}

	e := good
	e.Erase()
	if !e.Erased() || e.Hash != good.Hash || e.Validate() != nil {
		t.Errorf("erased entry: %+v, %v", e, e.Validate())
	}
}

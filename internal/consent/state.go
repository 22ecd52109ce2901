package consent

// StateName is where a contact's consent for one purpose and channel stands.
type StateName string

// The states; each action leads to the state of the same name.
const (
	StateNone      StateName = "none"
	StateGranted   StateName = "granted"
	StateConfirmed StateName = "confirmed"
	StateWithdrawn StateName = "withdrawn"
	StateExpired   StateName = "expired"
	StateObjected  StateName = "objected"
)

// Status is the current state and the entry that decided it (nil for StateNone).
type Status struct {
	State StateName `json:"state"`
	Entry *Entry    `json:"entry,omitempty"`
}

// Active reports whether the person may be contacted on the entry's basis: consent granted
// or confirmed. Whether that is enough for a given message is the policy's question.
func (s Status) Active() bool { return s.State == StateGranted || s.State == StateConfirmed }

// State returns the current state from the entries of one contact × purpose × channel: the
// latest entry in chain order wins, so a withdrawal takes effect at once.
func State(entries []Entry) Status {
	var last *Entry
	for i := range entries {
		if last == nil || after(entries[i], *last) {
			last = &entries[i]
		}
	}
	if last == nil {
		return Status{State: StateNone}
	}
	e := *last
	return Status{State: StateName(e.Action), Entry: &e}
}

// States returns the current state of every purpose × channel the entries mention.
func States(entries []Entry) map[Key]Status {
	groups := map[Key][]Entry{}
	for _, e := range entries {
		groups[e.Key()] = append(groups[e.Key()], e)
	}
	out := make(map[Key]Status, len(groups))
	for k, es := range groups {
		out[k] = State(es)
	}
	return out
}

// after orders entries by their place in the chain, falling back to ids for entries that
// have not been recorded yet.
func after(a, b Entry) bool {
	if a.Seq != b.Seq {
		return a.Seq > b.Seq
	}
	return a.ID > b.ID
}

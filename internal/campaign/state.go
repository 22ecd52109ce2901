package campaign

import "fmt"

// transitions are the allowed changes of state; everything else is refused. A cancelled
// campaign stays so; a finished one sends again only when its failed or unknown deliveries
// are retried (Service.Retry).
var transitions = map[State][]State{
	Draft:     {Scheduled, Sending, Cancelled},
	Scheduled: {Draft, Sending, Cancelled},
	Sending:   {Paused, Finished, Cancelled},
	Paused:    {Sending, Cancelled},
	Finished:  {Sending},
}

// Allowed reports whether a campaign in state from may move to state to.
func Allowed(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Editable reports whether a campaign's message, audience and sender may still change: not
// once it has started, since its recipients were screened for what it was then.
func Editable(s State) bool { return s == Draft || s == Scheduled }

func stateError(c Campaign, to State) error {
	return fmt.Errorf("campaign %q is %s and cannot become %s: %w", c.Name, c.State, to, ErrState)
}

package verify

import (
	"errors"
	"time"
)

// ErrProbeOff is returned when a check asks for the SMTP probe and the workspace has not
// allowed it.
var ErrProbeOff = errors.New("the SMTP probe is off for this workspace")

// JobStatus is the progress of a bulk verification running in the background.
type JobStatus struct {
	ID         int64          `json:"id"`
	State      string         `json:"state" enum:"running,done,failed"`
	Total      int            `json:"total"`
	Done       int64          `json:"done"`
	Verdicts   map[string]int `json:"verdicts"`
	Error      string         `json:"error,omitempty"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt *time.Time     `json:"finished_at,omitempty"`
}

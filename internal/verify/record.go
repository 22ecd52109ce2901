package verify

import "time"

// Verification is the stored result of checking one address (a Result, flattened), kept
// under the address's canonical form, the key contacts are found by.
type Verification struct {
	Address    string    `json:"address"`
	Verdict    string    `json:"verdict"`
	Reasons    []string  `json:"reasons"`
	Diagnosis  string    `json:"diagnosis,omitempty"`
	Suggestion string    `json:"suggestion,omitempty"`
	MX         []string  `json:"mx,omitempty"`
	Probed     bool      `json:"probed"`
	CheckedAt  time.Time `json:"checked_at"`
}

// JobRow is a stored bulk verification (its addresses are read apart, by JobAddresses).
type JobRow struct {
	ID          int64
	WorkspaceID int64
	State       string
	Total       int
	Done        int64
	Verdicts    map[string]int
	Addresses   []string // only filled by the store's UnfinishedVerifyJobs
	Error       string
	StartedAt   time.Time
	FinishedAt  *time.Time
}

package verify

import (
	"context"
	"time"
)

// ProbeOutcome is what an SMTP probe learnt about a mailbox.
type ProbeOutcome string

// Probe outcomes.
const (
	ProbeAccepted   ProbeOutcome = "accepted"   // RCPT accepted; a made-up mailbox was refused
	ProbeCatchAll   ProbeOutcome = "catch-all"  // RCPT accepted for a made-up mailbox too: acceptance proves nothing
	ProbeRejected   ProbeOutcome = "rejected"   // RCPT refused with 5xx: no such mailbox
	ProbeGreylisted ProbeOutcome = "greylisted" // RCPT answered 4xx: try again later
	ProbeTimeout    ProbeOutcome = "timeout"    // no mail exchanger answered in time
	ProbeFailed     ProbeOutcome = "failed"     // no answer to RCPT: refused connection, 5xx before RCPT, policy block
)

// ProbeResult is the result of one probe.
type ProbeResult struct {
	Outcome    ProbeOutcome
	Host       string        // the mail exchanger that answered last
	Code       int           // its SMTP reply code to RCPT (or to the command that failed)
	Message    string        // its reply text
	RetryAfter time.Duration // for greylisting and timeouts: when to try again
}

// Prober asks a domain's mail exchangers whether they accept an address,
// without sending mail. mx lists the hosts, most preferred first.
// Implementations must bound their own time and be safe for concurrent use.
type Prober interface {
	Probe(ctx context.Context, address string, mx []string) ProbeResult
}

package deliver

import (
	"errors"
	"strconv"
	"strings"
)

// TemporaryError is a failure worth retrying later (4xx replies, connection trouble before the
// relay could have accepted the message). It wraps a *SendError when the SMTP transport made it.
type TemporaryError struct{ Err error }

func (e *TemporaryError) Error() string { return "temporary: " + e.Err.Error() }
func (e *TemporaryError) Unwrap() error { return e.Err }

// ErrOutcomeUnknown marks a send whose message went out in full (the DATA terminator was
// written) but whose reply never came: the relay may have accepted it. It is never a
// TemporaryError, because resending could mail the recipient twice; the caller records the
// message as "unknown" instead.
var ErrOutcomeUnknown = errors.New("outcome unknown: the relay may have accepted the message")

// SendError describes a failed SMTP send: the relay's reply when there was one, the stage it
// failed at, and whether the message may have been accepted.
type SendError struct {
	Relay     string // the relay's name (its address unless named)
	Stage     string // connect, tls, hello, auth, mail, rcpt, data, message
	Code      int    // SMTP reply code; 0 when no reply came
	Enhanced  string // enhanced status code such as "5.1.1", when the relay sent one
	Message   string // the relay's reply text, or the network error
	Temporary bool   // retrying later may succeed (4xx, network trouble before acceptance)
	// Unknown is set when the message was sent in full but no reply came (see ErrOutcomeUnknown).
	Unknown bool
	// RelayFault is set when the relay, not the message, failed (connect, TLS, greeting, AUTH):
	// the campaign should pause or fail over rather than mark the recipient failed.
	RelayFault bool
	Err        error // the network error behind a reply-less failure
}

func (e *SendError) Error() string {
	var b strings.Builder
	b.WriteString("smtp ")
	b.WriteString(e.Stage)
	if e.Relay != "" {
		b.WriteString(" via ")
		b.WriteString(e.Relay)
	}
	b.WriteString(": ")
	if e.Code != 0 {
		b.WriteString(strconv.Itoa(e.Code))
		b.WriteByte(' ')
		if e.Enhanced != "" {
			b.WriteString(e.Enhanced)
			b.WriteByte(' ')
		}
	}
	b.WriteString(e.Message)
	if e.Unknown {
		b.WriteString(" (")
		b.WriteString(ErrOutcomeUnknown.Error())
		b.WriteByte(')')
	}
	return b.String()
}

// Unwrap gives the network error behind a reply-less failure.
func (e *SendError) Unwrap() error { return e.Err }

// Is lets errors.Is(err, ErrOutcomeUnknown) find an unknown outcome.
func (e *SendError) Is(target error) bool { return target == ErrOutcomeUnknown && e.Unknown }

// wrap returns the error the way callers branch on it: temporary failures inside a
// TemporaryError, the rest as they are.
func (e *SendError) wrap() error {
	if e.Temporary && !e.Unknown {
		return &TemporaryError{e}
	}
	return e
}

// reply is one SMTP reply.
type reply struct {
	code     int
	enhanced string
	text     string
}

// replyError makes the error for an unexpected reply; 4xx is temporary, everything else is
// permanent except codes outside 4xx/5xx (a confused relay), which are treated as temporary.
func replyError(relay, stage string, r reply) *SendError {
	return &SendError{Relay: relay, Stage: stage, Code: r.code, Enhanced: r.enhanced, Message: r.text,
		Temporary: r.code < 500 || r.code > 599}
}

// netError makes the error for a failure without a reply. unknown says whether the message
// had been sent in full.
func netError(relay, stage string, err error, unknown bool) *SendError {
	return &SendError{Relay: relay, Stage: stage, Message: err.Error(), Temporary: true, Unknown: unknown, Err: err}
}

// classify turns a send failure into the error callers see.
func classify(err error) error {
	var se *SendError
	if errors.As(err, &se) {
		return se.wrap()
	}
	return err
}

// IsRetryable says whether err is a failure the caller may retry later without risking a
// duplicate: a TemporaryError whose outcome is not unknown.
func IsRetryable(err error) bool {
	var t *TemporaryError
	return errors.As(err, &t) && !errors.Is(err, ErrOutcomeUnknown)
}

package inbound

import (
	"fmt"

	"github.com/clearlist/clearlist/internal/bounce"
)

// Summary counts what became of the messages of one run (`clearlist bounce ingest`).
type Summary struct {
	Messages   int `json:"messages"`
	Bounces    int `json:"bounces"`
	Complaints int `json:"complaints"`
	Replies    int `json:"replies"` // replies and auto-replies
	Delivered  int `json:"delivered"`
	Ignored    int `json:"ignored"` // not ours, forged, nothing to act on
	Errors     int `json:"errors"`  // not read or not stored
}

// Add counts one message's outcome.
func (s *Summary) Add(res bounce.IngestResult, err error) {
	s.Messages++
	switch {
	case err != nil:
		s.Errors++
	case res.Ignored != "":
		s.Ignored++
	case res.Kind == "bounce":
		s.Bounces++
	case res.Kind == "complaint":
		s.Complaints++
	case res.Kind == "reply" || res.Kind == "autoreply":
		s.Replies++
	case res.Kind == "delivered":
		s.Delivered++
	default:
		s.Ignored++
	}
}

// String is the one-line summary.
func (s Summary) String() string {
	return fmt.Sprintf("%d messages: %d bounces, %d complaints, %d replies, %d delivered, %d ignored, %d errors",
		s.Messages, s.Bounces, s.Complaints, s.Replies, s.Delivered, s.Ignored, s.Errors)
}

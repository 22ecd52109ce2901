package signup

import (
	"errors"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
)

// ErrNoWorkspace is returned for a subscribe page that is not open to the public: an unknown
// workspace, one without public lists, or a list that is unknown or private, alike.
var ErrNoWorkspace = errors.New("there is no sign-up page here")

// ErrMailFailed is returned when the confirmation e-mail could not be handed over; the
// sign-up stays pending and the person can try again.
var ErrMailFailed = errors.New("we could not send the confirmation e-mail just now; please try again later")

// Form is what the subscribe page shows.
type Form struct {
	Workspace   string
	Purposes    []consent.Purpose // one unticked box each
	FormID      string
	FormVersion string
}

// Step is one of the person's two acts (asking, confirming): from where and when.
type Step struct {
	IP        string
	UserAgent string
	At        time.Time
}

// Submission is a sign-up request as received, with where it was posted from.
type Submission struct {
	Workspace string
	Request
	FormURL string
	// Lang is the i18n code of the language the form was shown in: the confirmation e-mail
	// is written in it and its link opens the confirm page in it. "" (or a code that is not
	// one of ours) means English.
	Lang string
	Step
}

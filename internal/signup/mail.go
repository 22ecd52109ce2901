package signup

import (
	"fmt"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/deliver"
)

func confirmationMail(from, to, workspace string, purposes []string, link string, expires time.Time) deliver.Message {
	text := fmt.Sprintf(`Hello,

someone, hopefully you, asked to receive e-mail from %s about: %s.

To confirm, open this link and press "Confirm my subscription":

%s

The link works until %s. If you did not ask for this, ignore this message:
nothing will be sent to you.
`, workspace, strings.Join(purposes, ", "), link, expires.Format("2 January 2006 15:04 MST"))
	return deliver.Message{From: from, To: to, Subject: "Please confirm your subscription", Text: text}
}

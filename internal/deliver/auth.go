package deliver

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"
)

// authenticate runs AUTH PLAIN or LOGIN; a refusal is the relay's fault, not the message's.
func (c *conn) authenticate(r *Relay) error {
	mech := strings.ToUpper(r.Auth)
	if mech == "" {
		mech = "PLAIN"
	}
	var client sasl.Client
	switch mech {
	case "PLAIN":
		client = sasl.NewPlainClient("", r.Username, r.Password)
	case "LOGIN":
		client = &loginClient{user: r.Username, pass: r.Password}
	default:
		return relayFault(&SendError{Relay: c.relay, Stage: "auth", Message: "unsupported AUTH mechanism " + mech + " (use PLAIN or LOGIN)"})
	}
	fail := func(e *SendError) error {
		e.Message = fmt.Sprintf("authenticate as %s: %s", r.Username, e.Message)
		return relayFault(e)
	}
	_, ir, err := client.Start()
	if err != nil {
		return fail(&SendError{Relay: c.relay, Stage: "auth", Message: err.Error()})
	}
	line := "AUTH " + mech
	if ir != nil {
		line += " " + base64.StdEncoding.EncodeToString(ir)
	}
	for {
		rep, err := c.cmdAny("auth", line)
		if err != nil {
			return fail(err.(*SendError))
		}
		switch rep.code {
		case 235:
			return nil
		case 334:
			challenge, err := base64.StdEncoding.DecodeString(rep.text)
			if err != nil {
				return fail(&SendError{Relay: c.relay, Stage: "auth", Message: "malformed challenge"})
			}
			resp, err := client.Next(challenge)
			if err != nil {
				return fail(&SendError{Relay: c.relay, Stage: "auth", Message: err.Error()})
			}
			line = base64.StdEncoding.EncodeToString(resp)
		default:
			return fail(replyError(c.relay, "auth", rep))
		}
	}
}

// loginClient speaks AUTH LOGIN the way most relays expect: no initial response, then the
// user name or password as the relay's challenge asks (go-sasl's client sends the user name
// up front, which some relays refuse).
type loginClient struct{ user, pass string }

func (l *loginClient) Start() (string, []byte, error) { return "LOGIN", nil, nil }

func (l *loginClient) Next(challenge []byte) ([]byte, error) {
	if bytes.Contains(bytes.ToLower(challenge), []byte("user")) {
		return []byte(l.user), nil
	}
	return []byte(l.pass), nil
}

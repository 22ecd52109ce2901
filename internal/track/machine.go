package track

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Hit is one fetch of an open pixel or a tracked link.
type Hit struct {
	Method    string    // HTTP method
	UserAgent string    // the User-Agent header
	At        time.Time // when it came
	SentAt    time.Time // when the message was handed to the relay; zero when unknown
}

// Verdict says who fetched: a person (Machine false), possibly through a mailbox
// provider's image proxy (Proxy), or a machine, with the rule's name.
type Verdict struct {
	Machine bool   `json:"machine"`
	Proxy   bool   `json:"proxy,omitempty"` // a person's open through the provider's proxy
	Rule    string `json:"rule,omitempty"`  // e.g. apple-mail-privacy-protection, mimecast, head-request
	Kind    string `json:"kind,omitempty"`  // privacy-proxy, scanner, bot, proxy, method, timing
}

type agentRule struct {
	Agent string `json:"agent"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`
}

type rules struct {
	Exact          []agentRule `json:"exact"`
	Contains       []agentRule `json:"contains"`
	ScannerSeconds int         `json:"scanner_seconds"`
}

//go:embed machines.json
var rulesJSON []byte

var machineRules = func() rules {
	var r rules
	if err := json.Unmarshal(rulesJSON, &r); err != nil {
		panic(fmt.Sprintf("track: machines.json: %v", err)) // embedded data, checked by the tests
	}
	for i := range r.Contains {
		r.Contains[i].Agent = strings.ToLower(r.Contains[i].Agent)
	}
	return r
}()

// Classify tells a machine's fetch from a person's. A machine fetch is kept (it happened)
// but flagged, and left out of open and click rates: a privacy proxy pre-fetches every
// image whether or not the message is read, and a security scanner follows every link
// before the person sees it.
func Classify(h Hit) Verdict {
	if h.Method == http.MethodHead {
		return Verdict{Machine: true, Rule: "head-request", Kind: "method"}
	}
	ua := strings.TrimSpace(h.UserAgent)
	if ua == "" {
		return Verdict{Machine: true, Rule: "no-user-agent", Kind: "bot"}
	}
	for _, r := range machineRules.Exact {
		if ua == r.Agent {
			return Verdict{Machine: r.Kind != "proxy", Proxy: r.Kind == "proxy", Rule: r.Name, Kind: r.Kind}
		}
	}
	lower := strings.ToLower(ua)
	for _, r := range machineRules.Contains {
		if strings.Contains(lower, r.Agent) {
			return Verdict{Machine: r.Kind != "proxy", Proxy: r.Kind == "proxy", Rule: r.Name, Kind: r.Kind}
		}
	}
	// A link followed within seconds of the hand-over to the relay was followed by the
	// receiving side's scanner, not by a person who opened and read the message.
	if !h.SentAt.IsZero() && !h.At.IsZero() && h.At.Sub(h.SentAt) < time.Duration(machineRules.ScannerSeconds)*time.Second {
		return Verdict{Machine: true, Rule: "too-soon-after-sending", Kind: "timing"}
	}
	return Verdict{}
}

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// Target is one HTTP service under load in a latency benchmark: the URLs to request
// (cycled) and the bearer token to send.
type Target struct {
	Name   string   `json:"name"`
	URLs   []string `json:"urls"`
	Bearer string   `json:"bearer,omitempty"`
}

// EligibilitySetup fills the (fresh) workspace with contacts and consents, starts the
// real server and a bare net/http server whose handler does one map lookup, both on
// loopback, and returns the two targets. stop shuts both down.
func EligibilitySetup(ctx context.Context, a *app.App, contacts, consents int, dir string) (eligibility, bare Target, stop func(), err error) {
	path := filepath.Join(dir, "eligibility.csv")
	if err := generateFile(path, contacts, false); err != nil {
		return eligibility, bare, nil, err
	}
	for _, at := range attributes {
		if err := seeder(a).AddAttribute(ctx, a.Workspace.ID, at); err != nil {
			return eligibility, bare, nil, fmt.Errorf("bench needs a fresh workspace: %w", err)
		}
	}
	if _, err := a.Imports.Import(ctx, a.Workspace.ID, contact.ImportRequest{Path: path, List: "bench",
		Source: contact.Source{Type: "web-form-double-opt-in"}}, 0); err != nil {
		return eligibility, bare, nil, err
	}
	emails := make([]string, 0, contacts)
	allowed := make(map[string]bool, contacts)
	err = seeder(a).EachContact(ctx, a.Workspace.ID, store.ContactFilter{}, func(c contact.Contact) error {
		if len(emails) < consents {
			for _, act := range []consent.Action{consent.Granted, consent.Confirmed} {
				e := consent.Entry{WorkspaceID: a.Workspace.ID, ContactID: c.ID, Purpose: "newsletter", Channel: consent.Email,
					Action: act, Basis: consent.BasisDoubleOptIn, Actor: "bench",
					Evidence: consent.Evidence{Wording: "Yes, send me the newsletter", Timestamp: time.Now().Add(-time.Hour)}}
				if _, err := seeder(a).AppendConsent(ctx, e); err != nil {
					return err
				}
			}
		}
		emails = append(emails, c.EmailCanonical)
		allowed[c.EmailCanonical] = len(emails) <= consents
		return nil
	})
	if err != nil {
		return eligibility, bare, nil, err
	}
	_, token, err := a.Tokens.Create(ctx, a.Workspace.ID, "bench", access.RoleAdmin)
	if err != nil {
		return eligibility, bare, nil, err
	}
	srvAddr, bareAddr, stop, err := servers(ctx, a, func(w http.ResponseWriter, r *http.Request) {
		ok, known := allowed[r.URL.Query().Get("email")]
		if !known {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]bool{"allowed": ok})
	})
	if err != nil {
		return eligibility, bare, nil, err
	}
	eligibility = Target{Name: "eligibility API (" + a.Dialect() + ")", Bearer: token}
	bare = Target{Name: "bare net/http map lookup"}
	for _, e := range emails {
		q := url.Values{"email": {e}, "purpose": {"newsletter"}, "channel": {"email"}}.Encode()
		eligibility.URLs = append(eligibility.URLs, "http://"+srvAddr+"/api/v1/eligibility?"+q)
		bare.URLs = append(bare.URLs, "http://"+bareAddr+"/bare?"+q)
	}
	return eligibility, bare, stop, nil
}

// servers starts the real server and a bare net/http server with the given handler,
// both on loopback; stop shuts both down.
func servers(ctx context.Context, a *app.App, bare http.HandlerFunc) (srvAddr, bareAddr string, stop func(), err error) {
	srvLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, err
	}
	bareLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srvLn.Close()
		return "", "", nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan struct{})
	go func() { a.ServeListener(sctx, srvLn); close(served) }()
	bareSrv := &http.Server{Handler: bare}
	go bareSrv.Serve(bareLn)
	return srvLn.Addr().String(), bareLn.Addr().String(), func() {
		cancel()
		bareSrv.Close()
		<-served
	}, nil
}

// WriteTarget saves a target for the load-generating child process.
func WriteTarget(dir string, t Target) (string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, fmt.Sprintf("target-%d.json", time.Now().UnixNano()))
	return p, os.WriteFile(p, b, 0o600)
}

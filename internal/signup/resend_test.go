package signup_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/deliver/delivertest"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/i18n"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
)

// mailed is a message the relay got, read back as a mail client would.
type mailed struct {
	to, subject, lang, text, html, token string
}

var linkRE = regexp.MustCompile(`/confirm\?token=([^&\s]+)&lang=([a-z]+)`)

func readMailed(t *testing.T, m delivertest.Message) mailed {
	t.Helper()
	mr, err := gomail.CreateReader(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	out := mailed{to: m.To, lang: mr.Header.Get("Content-Language")}
	out.subject, _ = mr.Header.Subject()
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		if ct, _, _ := p.Header.(*gomail.InlineHeader).ContentType(); ct == "text/html" {
			out.html = string(b)
		} else {
			out.text = string(b)
		}
	}
	if l := linkRE.FindStringSubmatch(out.text); l != nil {
		out.token, _ = url.QueryUnescape(l[1])
	}
	return out
}

// TestResendInSignupLanguage: a sign-up keeps the language its visitor asked in, and the
// confirmation link mailed again later (no visitor present) speaks it — subject, parts,
// Content-Language, the link's language, right to left in Arabic — saying that it replaces
// the earlier link, which stops working. A sign-up made before languages were kept is mailed
// in English; a confirmed one, an address now on the do-not-contact list and an unknown id
// are refused without mail.
func TestResendInSignupLanguage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.CLI, ID: "test"})
		w, err := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateList(ctx, contact.List{WorkspaceID: w.ID, Name: "news", Public: true}); err != nil {
			t.Fatal(err)
		}
		ps, err := st.Purposes(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		sink := &delivertest.Sink{}
		addr, _ := delivertest.Start(t, sink, string(deliver.TLSNone))
		dnc := suppress.New(st, suppress.Options{}, nil)
		svc := signup.New(st, dnc)
		svc.Sender, svc.From, svc.PublicURL = &deliver.SMTP{Addr: addr, TLS: deliver.TLSNone}, "lists@example.com", "https://lists.example"
		subscribe := func(email, lang string) signup.Signup {
			t.Helper()
			if err := svc.Subscribe(ctx, signup.Submission{Workspace: w.Name, Lang: lang, Request: signup.Request{Email: email,
				Shown: []string{"newsletter"}, Ticked: []string{"newsletter"}, PrecheckedSet: true, FormID: signup.FormID,
				FormVersion: signup.FormVersion(ps), Wording: map[string]string{"newsletter": "Yes"}, List: "news"}}); err != nil {
				t.Fatal(err)
			}
			c, err := st.ContactByEmail(ctx, w.ID, email)
			if err != nil {
				t.Fatal(err)
			}
			open, err := st.OpenSignups(ctx, w.ID, c.ID, time.Now())
			if err != nil || len(open) != 1 {
				t.Fatalf("%s: open sign-ups %+v, %v", email, open, err)
			}
			return open[0]
		}
		last := func() mailed {
			t.Helper()
			ms := sink.Messages()
			return readMailed(t, ms[len(ms)-1])
		}
		for _, tc := range []struct{ asked, want, tag, dir string }{
			{"fr", "fr", "fr", "ltr"}, {"ar", "ar", "ar", "rtl"}, {"xx", "en", "en", "ltr"},
		} {
			email := "visitor-" + tc.asked + "@example.com"
			sg := subscribe(email, tc.asked)
			if sg.Lang != tc.want {
				t.Errorf("%s: sign-up kept language %q, want %q", tc.asked, sg.Lang, tc.want)
			}
			first := last()
			got, err := svc.Resend(ctx, w.ID, sg.ID)
			if err != nil || got.Email != email || got.Lang != tc.want || !got.ExpiresAt.After(sg.ExpiresAt.Add(-time.Second)) {
				t.Fatalf("%s: resend = %+v, %v", tc.asked, got, err)
			}
			m := last()
			if m.to != email || m.subject != i18n.T(tc.want, "mail.confirm_subject") || m.lang != tc.tag {
				t.Errorf("%s: resent to %s, subject %q, Content-Language %q", tc.asked, m.to, m.subject, m.lang)
			}
			replaces := i18n.T(tc.want, "mail.confirm_replaces")
			if !strings.Contains(m.text, replaces) || !strings.Contains(m.html, replaces) || strings.Contains(first.text, replaces) ||
				!strings.Contains(m.text, i18n.T(tc.want, "mail.confirm_hello")) {
				t.Errorf("%s: resent text:\n%s", tc.asked, m.text)
			}
			if !strings.Contains(m.html, `<html lang="`+tc.tag+`" dir="`+tc.dir+`">`) {
				t.Errorf("%s: resent HTML:\n%s", tc.asked, m.html)
			}
			if signup.LinkLang(m.token) != tc.want || !strings.Contains(m.text, "&lang="+tc.want) {
				t.Errorf("%s: the new link's language %q", tc.asked, signup.LinkLang(m.token))
			}
			if err := svc.Check(ctx, first.token); !errors.Is(err, signup.ErrLinkInvalid) {
				t.Errorf("%s: the replaced link still works: %v", tc.asked, err)
			}
			if err := svc.Check(ctx, m.token); err != nil {
				t.Errorf("%s: the new link: %v", tc.asked, err)
			}
		}

		// A sign-up recorded before languages were kept ("") is mailed in English.
		fr := subscribe("legacy@example.com", "fr")
		old, err := st.CreateSignup(ctx, store.Signup{WorkspaceID: w.ID, ContactID: fr.ContactID, SourceID: fr.SourceID,
			Purposes: []string{"newsletter"}, Wording: map[string]string{}, TokenHash: bytes.Repeat([]byte{7}, 32),
			RequestedAt: time.Now().UTC(), ExpiresAt: time.Now().UTC().Add(time.Hour)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Resend(ctx, w.ID, old.ID); err != nil {
			t.Fatal(err)
		}
		if m := last(); m.lang != "en" || m.subject != "Please confirm your subscription" {
			t.Errorf("legacy sign-up resent in %q: %q", m.lang, m.subject)
		}

		// Refusals: nothing is mailed.
		n := len(sink.Messages())
		confirmed := subscribe("done@example.com", "ar")
		n++
		if err := svc.Confirm(ctx, last().token, signup.Step{}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Resend(ctx, w.ID, confirmed.ID); !errors.Is(err, signup.ErrClosed) {
			t.Errorf("resend of a confirmed sign-up: %v", err)
		}
		blocked := subscribe("blocked@example.com", "fr")
		n++
		if _, _, err := dnc.Suppress(ctx, w.ID, []suppress.Intake{{Kind: "email", Value: "blocked@example.com", Scope: "all",
			Reason: "request-email", By: "test"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Resend(ctx, w.ID, blocked.ID); !errors.Is(err, signup.ErrSuppressedAddress) {
			t.Errorf("resend to a suppressed address: %v", err)
		}
		if _, err := svc.Resend(ctx, w.ID, 999999); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("resend of an unknown sign-up: %v", err)
		}
		other, _ := st.EnsureWorkspace(ctx, "resend-other")
		if _, err := svc.Resend(ctx, other.ID, blocked.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("resend from another workspace: %v", err)
		}
		if got := len(sink.Messages()); got != n {
			t.Errorf("relay got %d messages, want %d", got, n)
		}
		es, err := st.AuditEntries(ctx, w.ID, audit.Filter{Entity: "signup", Action: "signup.renew", Limit: 10})
		if err != nil || len(es) != 4 {
			t.Errorf("signup.renew entries: %d, %v", len(es), err)
		}
	})
}

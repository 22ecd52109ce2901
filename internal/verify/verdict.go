package verify

import "time"

// Verdict is the overall answer for an address.
type Verdict string

// Verdicts, from best to worst for a sender.
const (
	// Deliverable: the domain receives mail (and the probe, if run, had the
	// mailbox accepted) and nothing makes the address risky.
	Deliverable Verdict = "deliverable"
	// Risky: mail may arrive but should not be sent without a look: unusual
	// syntax, disposable or role address, likely typo, catch-all domain.
	Risky Verdict = "risky"
	// Undeliverable: mail cannot arrive: bad syntax, no such domain, a domain
	// that receives no mail, or a mailbox the server refused.
	Undeliverable Verdict = "undeliverable"
	// Unknown: not decided: Offline found nothing wrong but did no lookups,
	// or DNS or the probe failed for now (timeout, SERVFAIL, greylisting).
	Unknown Verdict = "unknown"
)

// Reason explains a verdict; a Result lists every reason that applies.
type Reason string

// Reasons.
const (
	ReasonSyntax         Reason = "syntax"          // invalid syntax; see Result.Diagnosis
	ReasonQuotedLocal    Reason = "quoted-local"    // quoted local part ("john doe"@example.com)
	ReasonAddressLiteral Reason = "address-literal" // user@[192.0.2.1]
	ReasonDotlessDomain  Reason = "dotless-domain"  // user@localhost: a bare top-level domain
	ReasonNumericTLD     Reason = "numeric-tld"     // user@192.168.0.1 written without brackets
	ReasonCFWS           Reason = "cfws"            // comments or folding white space in the address
	ReasonObsolete       Reason = "obsolete-syntax" // RFC 5322 obsolete forms
	ReasonHomograph      Reason = "homograph"       // a domain label or local part mixes scripts (Cyrillic "а" in a Latin name)
	ReasonSMTPUTF8       Reason = "smtputf8"        // non-ASCII local part: needs an SMTPUTF8 server (information)
	ReasonDisposable     Reason = "disposable"      // throw-away mail service
	ReasonRole           Reason = "role"            // role account (info@, sales@, noreply@ ...)
	ReasonFree           Reason = "free"            // free-mail provider (information, not a risk)
	ReasonTypo           Reason = "typo-suggestion" // the domain looks like a typo; see Result.Suggestion
	ReasonNoDomain       Reason = "no-domain"       // NXDOMAIN: the domain does not exist
	ReasonNoMX           Reason = "no-mx"           // neither MX nor A/AAAA records: no mail server
	ReasonNullMX         Reason = "null-mx"         // RFC 7505 null MX: the domain accepts no mail
	ReasonDNSError       Reason = "dns-error"       // SERVFAIL or another DNS failure; retry later
	ReasonTimeout        Reason = "timeout"         // DNS or SMTP did not answer in time; retry later
	ReasonMailboxUnknown Reason = "mailbox-unknown" // the mail server refused the recipient (5xx)
	ReasonCatchAll       Reason = "catch-all"       // the server accepts any local part, so acceptance proves nothing
	ReasonGreylisted     Reason = "greylisted"      // the server said "try later" (4xx); see Result.RetryAfter
	ReasonProbeFailed    Reason = "probe-failed"    // no mail exchanger could be asked (refused, 5xx before RCPT ...)
)

// Result is the outcome of checking one address.
type Result struct {
	Address    string        `json:"address"`                  // as given
	ASCII      string        `json:"ascii,omitempty"`          // local@domain with the domain lower-case ASCII (IDNA A-labels); "" if the syntax is invalid
	Verdict    Verdict       `json:"verdict"`                  // the overall answer
	Reasons    []Reason      `json:"reasons"`                  // why; empty for a plain deliverable (or an unchecked Offline) address
	Diagnosis  Diagnosis     `json:"diagnosis"`                // the syntax diagnosis (VALID, ERR_CONSECUTIVEDOTS, RFC5321_QUOTEDSTRING ...)
	Suggestion string        `json:"suggestion,omitempty"`     // the whole suggested address when the domain looks like a typo; never applied
	MX         []string      `json:"mx,omitempty"`             // mail exchangers found (the domain itself for an implicit MX), best first; shared, do not modify
	RetryAfter time.Duration `json:"retry_after_ns,omitempty"` // when greylisted or timed out: how long to wait before checking again
	CheckedAt  time.Time     `json:"checked_at"`               // when the check ran
}

// Has reports whether r lists reason.
func (r Result) Has(reason Reason) bool {
	for _, x := range r.Reasons {
		if x == reason {
			return true
		}
	}
	return false
}

// Package policy decides whether a contact may be contacted for a purpose on a channel.
//
// The rules are data (rules.json, embedded and versioned): one row per source type (the
// list-source cases of SPEC §3 plus clearlist's own channels), one row per jurisdiction and
// channel, and the general consent, soft opt-in, legitimate-interest and service rules.
// Evaluate turns a plain Facts value into a Verdict whose every Reason names its rule id
// and cites the law. It is the one evaluation used by the CLI check, the eligibility API
// and campaigns; it does no I/O and, through EvaluateInto, allocates nothing per call.
package policy

// Package suppress holds the do-not-contact list's domain logic: entries and
// their scopes and reasons, canonical forms of e-mail addresses, domains and
// phone numbers, keyed hashes (HMAC-SHA256 under a per-workspace key, so an
// erased person stays suppressed without their data), the in-memory screening
// index, the deadlines by which a request must take effect, the US National
// Do Not Call Registry's download files, and the calling-hours window.
//
// It does no I/O beyond reading the readers it is given; the store keeps the
// entries and the application service rebuilds an Index from them on start.
//
// Screening is by keyed hash only. A Screen holds a workspace's Keyer and
// Index and the instance's (operator-set entries that apply to every
// workspace); it canonicalises an identifier, hashes it under both keys and
// looks both hashes up. An e-mail address is also screened by its domain.
package suppress

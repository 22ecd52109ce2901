// Package suppress holds the do-not-contact list's domain logic: entries and
// their scopes and reasons, canonical forms of e-mail addresses, domains and
// phone numbers, keyed hashes (HMAC-SHA256 under a per-workspace key, so an
// erased person stays suppressed without their data), the in-memory screening
// index, the deadlines by which a request must take effect, the US National
// Do Not Call Registry's download files, and the calling-hours window.
//
// The rules do no I/O beyond reading the readers they are given. Service runs
// the list over the narrow Store it declares (the store implements it): it
// records, lifts and erases entries, imports files and registry downloads,
// screens identifiers, files and call lists, and keeps this process's
// screening indexes current with the store by change number.
//
// Screening is by keyed hash only. A Screen holds a workspace's Keyer and
// Index and the instance's (operator-set entries that apply to every
// workspace); it canonicalises an identifier, hashes it under both keys and
// looks both hashes up. An e-mail address is also screened by its domain.
package suppress

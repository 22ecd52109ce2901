// Package consent is the append-only, hash-chained consent ledger: purposes, channels, lawful
// bases and the evidence behind each entry.
//
// An Entry records one thing that happened to one contact × purpose × channel (consent
// granted, confirmed by double opt-in, withdrawn, expired, objected to). Entries are never
// changed: a correction is a new entry. Each entry carries the hash of the previous entry of
// its workspace, so that a changed, removed or reordered row breaks the chain and VerifyChain
// names it.
//
// Service keeps the ledger through the narrow Store it declares: it records entries, shows a
// contact's history, exports and verifies the chain, manages purposes and legitimate-interest
// records, and records implied consents that ran out.
package consent

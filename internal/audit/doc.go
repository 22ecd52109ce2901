// Package audit is the audit trail: one entry per change, written by the store in the
// change's own transaction, hash-chained per workspace like the consent ledger, with personal
// values kept only as keyed hashes.
package audit

// Package verify checks e-mail addresses before anyone writes to them: syntax
// (RFC 5321/5322 as mailbox providers accept it, RFC 6531 UTF-8 local parts,
// IDNA 2008 domains), disposable/role/free-mail lists, likely domain typos,
// the domain's mail exchangers (through a Resolver) and, when asked for, an
// SMTP probe of the mailbox (through a Prober).
//
// It is a pure domain package: no database, no HTTP, no command line. Offline
// does no I/O and is meant for bulk use (hundreds of thousands of addresses a
// second); Check adds DNS and the optional probe; CheckMany runs Check over a
// stream of addresses with a worker pool.
//
// Case: the domain of Result.ASCII is lower-case ASCII (IDNA A-labels); the
// local part is kept as given, because RFC 5321 lets a mailbox server treat
// "Jane" and "jane" as different mailboxes. List matching (role accounts) and
// typo suggestions compare case-insensitively; the suggestion keeps the local
// part exactly as typed.
package verify

// Package formats reads the export files of other senders (Mailchimp's audience export,
// listmonk's subscriber export) and turns each record into clearlist's canonical import
// columns (email, status, country, first_name, consent_*, …) plus the do-not-contact
// intakes the record implies (an unsubscribe, a hard bounce, a blocklisting). It streams,
// knows nothing of the store, and counts every non-empty value it has no home for, per
// column, so that an import summary can list what was not taken in.
package formats

// Package contact holds contacts, their identifiers in canonical form, the
// declared attribute schema, and the import pipeline from CSV/JSON-lines rows
// to normalised contacts.
package contact

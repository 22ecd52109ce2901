// Package contact holds contacts, their identifiers in canonical form, the
// declared attribute schema, the import pipeline from CSV/JSON-lines rows
// to normalised contacts, and the Service through which the API and the
// command line write contacts, lists, attributes and sources.
package contact

// Package normalize puts the contact and address fields of the dispatch center's
// records in one canonical form, so that two spellings of the same customer, phone or
// street compare equal: E.164 phone numbers (libphonenumber), bare email addresses,
// and US addresses as USPS writes them (Publication 28: street suffixes,
// directionals, unit designators; state codes; ZIP and ZIP+4).
//
// The steps of package mapping (phone, email, us_street, us_state, zip, collapse)
// call these functions; package dedup keys customers by them.
package normalize

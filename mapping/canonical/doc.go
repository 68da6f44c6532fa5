// Package canonical holds the dispatch center's own types: what every record from the
// six systems becomes once mapped (package mapping), whatever system it came from.
// They are small on purpose: a field is here because dispatch uses it. Times are
// UTC, money is integer minor units with an ISO 4217 code, phones are E.164 with the
// extension apart. Fields tagged `personal:"true"` carry personal data: the mapping
// package redacts their values in errors and logs.
package canonical

// Package iso4217 is the ISO 4217 currency table the SDK keeps itself (not
// golang.org/x/text/currency, whose data is from 2017: it refuses VES, MRU, SLE, ZWG,
// XCG and UYW and accepts withdrawn codes). Package mapping validates currencies
// with it, and merchant its configured currencies.
package iso4217

// Package seen remembers keys for a time window, to drop repeats: a trap re-sent, a
// transaction submitted twice.
package seen

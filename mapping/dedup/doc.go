// Package dedup finds records the dispatch center has seen before: a customer
// already known by its normalized phone or email ([CustomerIndex], the integration
// design's customer de-duplication), a transaction sent twice within a window
// ([DuplicateDetector], its duplicate transaction detection), and fills a customer's
// coordinates from its address through a [Geocoder].
package dedup

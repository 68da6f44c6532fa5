// Package fake holds the shapes every bundled fake shares: the [Fault] a test injects
// into a fake vendor (reachtest.Server.Fail and its peers take it, as reachtest.Fault),
// and the [Delivery] of a webhook event a fake sent. The fakes themselves live beside
// their connectors: reach/reachtest, geotab/geotabtest, dayforce/dayforcetest,
// maddenco/maddencotest, merchant/merchanttest and treadnet/treadnettest.
package fake

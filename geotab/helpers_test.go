package geotab_test

import "github.com/dispatchcenter/connectors/resilience"

func noRetry() resilience.Policy {
	p := resilience.Standard()
	p.Retry.MaxRetries = 0
	return p
}

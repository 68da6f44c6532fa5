package consumer_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/treadnet"
)

// Each connector's options are its own type, so reach.New(cfg,
// merchant.WithIdempotencyStore(s)) does not compile: no connector's Option can be
// used as another's. (The compiler's refusal is what assignability says here.)
func TestAnOptionOfOneConnectorIsNotAnotherConnectorsOption(t *testing.T) {
	options := map[string]reflect.Type{
		"reach":    reflect.TypeOf(reach.WithLogger(nil)),
		"geotab":   reflect.TypeOf(geotab.WithLogger(nil)),
		"dayforce": reflect.TypeOf(dayforce.WithLogger(nil)),
		"maddenco": reflect.TypeOf(maddenco.WithLogger(nil)),
		"merchant": reflect.TypeOf(merchant.WithIdempotencyStore(nil)),
		"treadnet": reflect.TypeOf(treadnet.WithLogger(nil)),
	}
	for from, ft := range options {
		for to, tt := range options {
			if from != to {
				assert.False(t, ft.AssignableTo(tt), "a %s option passed to %s.New", from, to)
				assert.False(t, ft.ConvertibleTo(tt), "a %s option converted for %s.New", from, to)
			}
		}
	}
}

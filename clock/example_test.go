package clock_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dispatchcenter/connectors/clock"
)

// A fake clock: a 30-second backoff takes no time, and a timer fires when the test
// moves the clock past it.
func ExampleFake() {
	c := clock.NewFake(time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC))
	_ = c.Sleep(context.Background(), 30*time.Second)
	fired := false
	c.AfterFunc(time.Minute, func() { fired = true })
	c.Advance(59 * time.Second)
	fmt.Println(c.Now().Format(time.TimeOnly), fired)
	c.Advance(time.Second)
	fmt.Println(c.Now().Format(time.TimeOnly), fired, c.Sleeps())
	// Output:
	// 08:01:29 false
	// 08:01:30 true [30s]
}

package seen_test

import (
	"fmt"
	"time"

	"github.com/dispatchcenter/connectors/internal/seen"
)

// Dropping a trap re-sent within the window, and taking it again once the window has
// passed.
func ExampleWindow() {
	w := seen.New[string](time.Minute, 1000)
	t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	fmt.Println(w.Seen("linkDown/agent-7/ifIndex-3", t0))
	fmt.Println(w.Seen("linkDown/agent-7/ifIndex-3", t0.Add(10*time.Second)))
	fmt.Println(w.Seen("linkDown/agent-7/ifIndex-3", t0.Add(2*time.Minute)))
	// Output:
	// false
	// true
	// false
}

package resilience

import (
	"runtime"
	"testing"
	"time"
)

func runtimeGosched() { runtime.Gosched() }

// waitUntil lets other goroutines run until cond holds: a test waiting for a
// goroutine to reach a state (queued, asleep) it cannot be told about. It fails the
// test, saying what it waited for, if that takes more than 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
	}
}

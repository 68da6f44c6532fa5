package resilience

import "runtime"

func runtimeGosched() { runtime.Gosched() }

package fakekit_test

import (
	"fmt"

	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
)

// How a fake pages a list: opaque cursors it made itself, a filter, a page size.
func ExampleOffsetPage() {
	type site struct {
		ID     string
		Active bool
	}
	var sites []*site
	for i := range 7 {
		sites = append(sites, &site{ID: fmt.Sprintf("S%d", i), Active: i != 3})
	}
	active := func(s *site) bool { return s.Active }
	cursor := ""
	for {
		page, next, ok := fakekit.OffsetPage(sites, active, cursor, 4)
		if !ok {
			panic("a cursor the fake did not make")
		}
		fmt.Println(page, next != "")
		if next == "" {
			break
		}
		cursor = next
	}
	_, _, ok := fakekit.OffsetPage(sites, active, "not-a-cursor", 4)
	fmt.Println(ok)
	// Output:
	// [{S0 true} {S1 true} {S2 true} {S4 true}] true
	// [{S5 true} {S6 true}] false
	// false
}

package connector_test

import (
	"context"
	"fmt"

	"github.com/dispatchcenter/connectors/internal/assembly/connector"
)

// Following a cursor from page to page: the loop sees items, not pages, and stops at
// the first error or when the caller breaks.
func ExamplePages() {
	type page struct {
		items []int
		next  string
	}
	pages := map[string]page{"": {[]int{1, 2, 3}, "c2"}, "c2": {[]int{4, 5}, "c3"}, "c3": {[]int{6}, ""}}
	fetch := func(_ context.Context, cursor string) ([]int, string, error) {
		p := pages[cursor]
		return p.items, p.next, nil
	}
	for v, err := range connector.Pages(context.Background(), fetch) {
		if err != nil {
			panic(err)
		}
		fmt.Print(v, " ")
	}
	fmt.Println()
	// Output:
	// 1 2 3 4 5 6
}

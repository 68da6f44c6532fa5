package dedup_test

import (
	"fmt"
	"time"

	"github.com/dispatchcenter/connectors/mapping/canonical"
	"github.com/dispatchcenter/connectors/mapping/dedup"
)

// A new record of a known customer, written differently, is found by its phone.
func ExampleCustomerIndex() {
	idx := dedup.NewCustomerIndex("US")
	idx.Add(canonical.Customer{ID: "C1", Phone: "+15125550142", Email: "ada@example.com"})
	id, dup := idx.Find(canonical.Customer{ID: "new", Phone: "(512) 555-0142"})
	fmt.Println(id, dup)
	fmt.Println(dedup.CustomerKeys("512.555.0142", "Ada@Example.COM", "US"))
	// Output:
	// C1 true
	// [phone:+15125550142 email:ada@example.com]
}

// The same payment twice within the window is a duplicate.
func ExampleDuplicateDetector() {
	d := dedup.NewDuplicateDetector(24*time.Hour, 0)
	at := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	fmt.Println(d.Seen("INV-1|12550|USD", at), d.Seen("INV-1|12550|USD", at.Add(time.Hour)))
	// Output: false true
}

package defaults_test

import (
	"fmt"
	"time"

	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/canonical"
	"github.com/dispatchcenter/connectors/mapping/defaults"
	"github.com/dispatchcenter/connectors/reach"
)

// Mapping a Reach customer to the canonical Customer with the default mapping.
func Example() {
	l, err := defaults.Load()
	if err != nil {
		panic(err)
	}
	m, _ := l.Mapping("reach-customer")
	c, err := mapping.Map[canonical.Customer](m, reach.Customer{ID: "C00042", Name: "  Ada   Lovelace ",
		Phone: "(512) 555-0142 ext. 9", Email: "Ada@Example.COM", UpdatedAt: time.Date(2026, 1, 5, 14, 0, 0, 0, time.UTC),
		ServiceAddress: reach.Address{Line1: "100 north Congress Avenue", City: "Austin", Region: "texas", PostalCode: "787011234"}})
	fmt.Println(err)
	fmt.Println(c.Name, c.Phone, c.PhoneExt, c.Email)
	fmt.Println(c.Address.Line1, c.Address.City, c.Address.State, c.Address.PostalCode, c.Address.Country)
	// Output:
	// <nil>
	// Ada Lovelace +15125550142 9 Ada@example.com
	// 100 N CONGRESS AVE Austin TX 78701-1234 US
}

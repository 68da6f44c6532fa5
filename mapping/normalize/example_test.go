package normalize_test

import (
	"fmt"

	"github.com/dispatchcenter/connectors/mapping/normalize"
)

func ExamplePhone() {
	fmt.Println(normalize.Phone("(512) 555-0142", "US"))
	fmt.Println(normalize.Phone("555-0000", "US"))
	// Output:
	// +15125550142 true
	//  false
}

func ExampleUSStreet() {
	fmt.Println(normalize.USStreet("100 north Congress Avenue, Suite 200"))
	state, _ := normalize.USState("texas")
	zip, _ := normalize.USZIP("787011234")
	fmt.Println(state, zip)
	// Output:
	// 100 N CONGRESS AVE STE 200
	// TX 78701-1234
}

func ExampleEmail() {
	fmt.Println(normalize.Email(" Ada@Example.COM "))
	_, err := normalize.Email("Ada <ada@example.com>")
	fmt.Println(err)
	// Output:
	// Ada@example.com <nil>
	// not one bare address
}

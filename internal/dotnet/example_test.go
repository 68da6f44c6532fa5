package dotnet_test

import (
	"fmt"
	"time"

	"github.com/dispatchcenter/connectors/internal/dotnet"
)

// .NET TimeSpan strings, as MyGeotab and Dayforce send them, both ways.
func ExampleParseTimeSpan() {
	d, err := dotnet.ParseTimeSpan("1.02:03:04.5000000")
	fmt.Println(d, err)
	fmt.Println(dotnet.FormatTimeSpan(90 * time.Minute))
	// Output:
	// 26h3m4.5s <nil>
	// 01:30:00
}

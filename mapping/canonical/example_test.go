package canonical_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"time"

	"github.com/dispatchcenter/connectors/mapping/canonical"
)

// A service request as it crosses the dispatch center's bus: UTC times, the source
// system and its id kept beside the canonical id.
func ExampleServiceRequest() {
	sr := canonical.ServiceRequest{
		ID: "SR-1001", Source: canonical.Source{System: "reach", ID: "1001"}, CustomerID: "C0042",
		Priority: canonical.PriorityEmergency, Status: "open", SiteID: "AUS-12",
		CreatedAt: time.Date(2026, 1, 5, 14, 0, 0, 0, time.UTC), DueAt: time.Date(2026, 1, 5, 18, 0, 0, 0, time.UTC),
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	_ = enc.Encode(sr)
	// Output:
	// {
	//  "id": "SR-1001",
	//  "source": {
	//   "system": "reach",
	//   "id": "1001"
	//  },
	//  "customer_id": "C0042",
	//  "description": "",
	//  "priority": "emergency",
	//  "status": "open",
	//  "site_id": "AUS-12",
	//  "created_at": "2026-01-05T14:00:00Z",
	//  "due_at": "2026-01-05T18:00:00Z"
	// }
}

// Which fields of a Customer are personal (redacted in mapping errors and logs).
func ExampleCustomer() {
	t := reflect.TypeFor[canonical.Customer]()
	for _, f := range reflect.VisibleFields(t) {
		if f.Tag.Get("personal") == "true" {
			fmt.Println(f.Name)
		}
	}
	// Output:
	// Name
	// Phone
	// PhoneExt
	// Email
}

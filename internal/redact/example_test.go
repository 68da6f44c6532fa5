package redact_test

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/dispatchcenter/connectors/internal/redact"
)

// What a log line may show of a request: query values, credentials and card numbers
// masked.
func Example() {
	u, _ := url.Parse("https://user:secret@api.example.com/v1/devices?apiKey=abc123&limit=10")
	fmt.Println(redact.URL(u))
	h := redact.Header(http.Header{"Authorization": {"Bearer eyJ..."}, "Accept": {"application/json"}})
	fmt.Println(h.Get("Authorization"), h.Get("Accept"))
	fmt.Println(redact.Text("card 4111 1111 1111 1111 declined"))
	// Output:
	// https://api.example.com/v1/devices?apiKey=REDACTED&limit=REDACTED
	// REDACTED application/json
	// card [PAN-REDACTED] declined
}

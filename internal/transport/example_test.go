package transport_test

import (
	"crypto/tls"
	"fmt"

	"github.com/dispatchcenter/connectors/internal/transport"
)

// The base transport every connector starts from: pooled connections, bounded dials
// and handshakes, and the system's minimum TLS version.
func ExampleNewBase() {
	tr, err := transport.NewBase(transport.Options{TLS: transport.TLSOptions{MinVersion: tls.VersionTLS13}})
	if err != nil {
		panic(err)
	}
	defer tr.CloseIdleConnections()
	fmt.Println(tr.TLSClientConfig.MinVersion == tls.VersionTLS13, tr.MaxIdleConnsPerHost, tr.TLSHandshakeTimeout)
	// Output:
	// true 32 10s
}

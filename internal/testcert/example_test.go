package testcert_test

import (
	"crypto/x509"
	"fmt"

	"github.com/dispatchcenter/connectors/internal/testcert"
)

// A test CA issuing a server certificate for loopback and a client certificate, as
// the mutual-TLS fakes use them.
func Example() {
	ca, err := testcert.NewCA("fake vendor CA")
	if err != nil {
		panic(err)
	}
	srv, _ := ca.Server()
	cli, _ := ca.Client("dispatch-center")
	leaf, _ := x509.ParseCertificate(cli.TLS.Certificate[0])
	_, err = leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	fmt.Println(leaf.Subject.CommonName, err, len(srv.CertPEM) > 0)
	// Output:
	// dispatch-center <nil> true
}

package auth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/dispatchcenter/connectors/internal/auth"
)

// The per-attempt auth layer: the API key goes to the vendor's host only, never to
// another host the client is sent to (a redirect, a link in a response).
func ExampleMiddleware() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s key=%q", r.UserAgent(), r.Header.Get("X-API-Key"))
	}))
	defer srv.Close()
	vendor := strings.TrimPrefix(srv.URL, "http://")
	layer := auth.Middleware("connectors-example/1.0", auth.APIKey("X-API-Key", "k-123"), vendor)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: layer(tr)}
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		resp, err := c.Get(u)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		fmt.Println(resp.Status, string(body))
	}
	// Output:
	// 200 OK connectors-example/1.0 key="k-123"
	// 200 OK connectors-example/1.0 key=""
}

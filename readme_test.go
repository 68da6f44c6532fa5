package connectors_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/reach/reachtest"
	"github.com/dispatchcenter/connectors/resilience"
)

// The README's code blocks, as they are printed there: TestReadmeBlocksRun checks
// that each README block appears in this file, line for line, so that what a reader
// copies compiles and runs.

// readmeResilience is the README's resilience block.
func readmeResilience(ctx context.Context, logger *slog.Logger, vendorURL string) error {
	p := resilience.Standard() // 3 retries, linear 5 s; breaker 5 failures/5 min, open 60 s
	p.Limit = resilience.LimitPolicy{Requests: 1000, Per: time.Hour, Burst: 10}
	client, err := resilience.New(p, resilience.WithName("maddenco"), resilience.WithLogger(logger))
	if err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, vendorURL+"/equipment", nil)
	resp, err := client.Do(req) // also an oapi-codegen HttpRequestDoer
	var ce *resilience.CallError
	switch {
	case err == nil:
		defer resp.Body.Close()
	case errors.Is(err, connectors.ErrCircuitOpen):
		// the vendor is failing; nothing was sent
	case errors.As(err, &ce) && ce.Response != nil:
		log.Printf("gave up after %d attempts, last status %d", ce.Attempts, ce.Response.StatusCode)
	default:
		log.Printf("gave up: %v", err) // no answer came back (a reset, a timeout)
	}
	return nil
}

// readmeFake is the README's block on the bundled fakes.
func readmeFake(t *testing.T, ctx context.Context) ([]geotab.DeviceStatusInfo, error) {
	srv := geotabtest.NewServer(t)   // a MyGeotab on loopback, 50 vehicles
	c, _ := geotab.New(srv.Config()) // the fake is its federation root
	srv.Advance(10 * time.Minute)    // the fleet drives; GPS points appear
	near, err := c.NearestVehicles(ctx, geotab.Coordinate{X: -79.38, Y: 43.65}, 3)
	return near, err
}

// readmeClock is the README's block on the public fake clock.
func readmeClock(t *testing.T, ctx context.Context) (*clock.Fake, *reachtest.Server, reach.ServiceRequest, error) {
	clk := clock.NewFake(time.Now()) // package github.com/dispatchcenter/connectors/clock
	srv := reachtest.NewServer(t, reachtest.WithClock(clk))
	c, _ := reach.New(srv.Config(), reach.WithClock(clk))
	srv.Fail(reachtest.Fault{Match: "getServiceRequest", Status: 502, Times: 3})
	sr, err := c.ServiceRequest(ctx, "SR000001") // the 4th attempt answers; its backoff took no time
	return clk, srv, sr, err
}

// TestReadmeSnippetsRun runs both blocks: the resilience one against a vendor that
// answers, one that refuses (a 404 is returned as the response), one that fails (a
// 503 whose retry would pass the deadline) and one that resets the connection (no
// response: the block used to dereference a nil Response there).
func TestReadmeSnippetsRun(t *testing.T) {
	var logs bytes.Buffer
	log.SetOutput(&logs)
	defer log.SetOutput(os.Stderr)
	logger := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"an answer", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"equipment":[]}`)) }, ""},
		{"a refusal", func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) }, ""}, // returned as the response
		{"a failing vendor", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) },
			"gave up after 1 attempts, last status 503"}, // the 5 s wait would pass the deadline
		{"no answer", func(w http.ResponseWriter, _ *http.Request) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
		}, "gave up: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vendor := httptest.NewServer(tc.handler)
			defer vendor.Close()
			logs.Reset()
			// no answer: the GET is retried after 5, 10 and 15 s; a short deadline ends it
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			require.NoError(t, readmeResilience(ctx, logger, vendor.URL))
			assert.Contains(t, logs.String(), tc.want)
		})
	}
	near, err := readmeFake(t, context.Background())
	require.NoError(t, err)
	assert.Len(t, near, 3)

	clk, srv, sr, err := readmeClock(t, context.Background())
	require.NoError(t, err)
	assert.Equal(t, "SR000001", sr.ID)
	assert.Len(t, clk.Sleeps(), 3, "three backoffs, on the fake clock")
	gets := 0
	for _, r := range srv.Requests() {
		if r.Path == "/api/servicerequests/SR000001" {
			gets++
		}
	}
	assert.Equal(t, 4, gets)
}

// TestReadmeBlocksRun: every ```go block of the README is in this file, line for line
// (runs of white space aside), so CI compiles and runs what the README shows.
func TestReadmeBlocksRun(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	self, err := os.ReadFile("readme_test.go")
	require.NoError(t, err)
	norm := func(l string) string { return strings.Join(strings.Fields(l), " ") } // gofmt aligns comments
	var here []string
	for _, l := range strings.Split(string(self), "\n") {
		here = append(here, norm(l))
	}
	var blocks [][]string
	var cur []string
	in := false
	sc := bufio.NewScanner(bytes.NewReader(readme))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case !in && l == "```go":
			in, cur = true, nil
		case in && l == "```":
			in = false
			blocks = append(blocks, cur)
		case in:
			cur = append(cur, norm(l))
		}
	}
	require.NotEmpty(t, blocks)
	for i, b := range blocks {
		assert.True(t, contains(here, b), "README go block %d is not in readme_test.go:\n%s", i+1, strings.Join(b, "\n"))
	}
}

func contains(lines, block []string) bool {
	for i := 0; i+len(block) <= len(lines); i++ {
		ok := true
		for j, l := range block {
			if lines[i+j] != l {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

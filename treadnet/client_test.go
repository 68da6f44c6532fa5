package treadnet_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/treadnet"
	"github.com/dispatchcenter/connectors/treadnet/treadnettest"
)

func newClient(t *testing.T, cfg treadnet.Config, opts ...treadnet.Option) *treadnet.Client {
	t.Helper()
	c, err := treadnet.New(cfg, append([]treadnet.Option{treadnet.WithClock(clock.NewFake(time.Now()))}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

// pemFiles writes the fake's client certificate, key and CA to files, as an operator
// installs them, and returns a Config naming them.
func pemFiles(t *testing.T, srv *treadnettest.Server) treadnet.Config {
	dir := t.TempDir()
	cfg := srv.Config()
	files := map[string][]byte{"client.pem": cfg.TLS.CertPEM, "client-key.pem": cfg.TLS.KeyPEM, "ca.pem": cfg.TLS.RootCAPEM}
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o600))
	}
	return treadnet.Config{BaseURL: srv.URL, TLS: connectors.MutualTLS{CertFile: filepath.Join(dir, "client.pem"),
		KeyFile: filepath.Join(dir, "client-key.pem"), RootCAFile: filepath.Join(dir, "ca.pem")}}
}

func TestConfig(t *testing.T) {
	_, err := treadnet.New(treadnet.Config{})
	require.Error(t, err)
	assert.ErrorContains(t, err, "BaseURL")
	assert.ErrorContains(t, err, "client certificate")
	_, err = treadnet.New(treadnet.Config{BaseURL: "https://treadnet.example.com", TLS: connectors.MutualTLS{CertFile: "/nonexistent.pem", KeyFile: "/nonexistent-key.pem"}})
	assert.ErrorContains(t, err, "client certificate")
}

func TestQueries(t *testing.T) {
	srv := treadnettest.NewServer(t)
	c := newClient(t, pemFiles(t, srv))
	ctx := context.Background()

	st, err := c.NetworkStatus(ctx)
	require.NoError(t, err)
	assert.Equal(t, 60, st.SitesTotal)
	assert.Equal(t, 60, st.SitesUp)
	assert.Zero(t, st.OpenOutages)

	o, err := srv.OpenOutage(4, "critical", "fiber cut")
	require.NoError(t, err)
	current := collect(t, c.Outages(ctx, treadnet.OutageFilter{Status: treadnet.OutageStatusOpen}))
	require.Len(t, current, 1)
	assert.Equal(t, o.ID, current[0].ID)
	assert.Equal(t, []string{treadnettest.SiteID(4)}, current[0].SiteIDs)
	st, err = c.NetworkStatus(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, st.SitesDown)
	assert.Equal(t, 1, st.OpenOutages)

	history := collect(t, c.Outages(ctx, treadnet.OutageFilter{Status: treadnet.OutageStatusResolved, PageSize: 30}))
	assert.Len(t, history, 200, "every page followed")
	lastMonth := collect(t, c.Outages(ctx, treadnet.OutageFilter{Since: time.Now().AddDate(0, -1, 0), Status: treadnet.OutageStatusResolved}))
	assert.NotEmpty(t, lastMonth)
	assert.Less(t, len(lastMonth), len(history))
	north := collect(t, c.Outages(ctx, treadnet.OutageFilter{Area: "north"}))
	for _, x := range north {
		assert.Contains(t, x.Areas, "north")
	}
	got, err := c.Outage(ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, treadnet.OutageStatusOpen, got.Status)

	topo, err := c.Topology(ctx, "")
	require.NoError(t, err)
	assert.Len(t, topo.Sites, 60)
	assert.Len(t, topo.Links, 59)
	east, err := c.Topology(ctx, "east")
	require.NoError(t, err)
	assert.Len(t, east.Sites, 10)
	site, err := c.Site(ctx, treadnettest.SiteID(4))
	require.NoError(t, err)
	assert.Equal(t, treadnet.SiteStatusDown, site.Status)

	_, err = c.Site(ctx, "TN-999")
	assert.ErrorIs(t, err, connectors.ErrNotFound)
	srv.Fail(treadnettest.Fault{Match: "getNetworkStatus", Status: 503, Times: 3})
	_, err = c.NetworkStatus(ctx)
	assert.ErrorIs(t, err, connectors.ErrUnavailable, "Monitoring: 2 retries, then the error")
	var ae *connectors.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 3, ae.Attempts)
}

// passthrough is used as it is: whatever TLS it does reaches Treadnet.
type passthrough struct{ t *http.Transport }

func (p passthrough) RoundTrip(r *http.Request) (*http.Response, error) { return p.t.RoundTrip(r) }

func TestMutualTLSIsRequired(t *testing.T) {
	srv := treadnettest.NewServer(t, treadnettest.WithHistory(0))
	other := treadnettest.NewServer(t, treadnettest.WithHistory(0))
	strangerCert, strangerKey, err := other.IssueClientCertificate(treadnettest.ClientCertName)
	require.NoError(t, err)
	bare := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CAPool()}}
	t.Cleanup(bare.CloseIdleConnections)
	ctx := context.Background() // retries on: a refused certificate must not use them
	cases := []struct {
		name string
		cfg  func() (treadnet.Config, []treadnet.Option)
	}{
		{"a certificate another CA signed", func() (treadnet.Config, []treadnet.Option) {
			cfg := srv.Config()
			cfg.TLS.CertPEM, cfg.TLS.KeyPEM = strangerCert, strangerKey
			return cfg, nil
		}},
		{"no certificate at all", func() (treadnet.Config, []treadnet.Option) {
			return srv.Config(), []treadnet.Option{treadnet.WithHTTPClient(&http.Client{Transport: passthrough{bare}})}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, refused := len(srv.Requests()), srv.RefusedHandshakes()
			cfg, opts := tc.cfg()
			c := newClient(t, cfg, opts...)
			_, err := c.NetworkStatus(ctx)
			require.Error(t, err)
			assert.ErrorContains(t, err, "certificate")
			assert.ErrorIs(t, err, connectors.ErrUnauthorized, "the vendor refused this side's credentials")
			var ae *connectors.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, 1, ae.Attempts, "a refused certificate is not retried: it would be refused again")
			assert.False(t, ae.Retryable)
			assert.Len(t, srv.Requests(), before)
			// the server logs the refusal after the client has its error: wait for it
			require.Eventually(t, func() bool { return srv.RefusedHandshakes() > refused }, 5*time.Second, time.Millisecond)
		})
	}
	c := newClient(t, srv.Config())
	_, err = c.NetworkStatus(ctx)
	require.NoError(t, err)
	reqs := srv.Requests()
	assert.Equal(t, treadnettest.ClientCertName, reqs[len(reqs)-1].ClientCert)
}

// TestOutageToServiceRequests follows an outage from the trap to the open service
// requests it explains.
func TestOutageToServiceRequests(t *testing.T) {
	srv := treadnettest.NewServer(t, treadnettest.WithHistory(0))
	rc, err := treadnet.NewTrapReceiver(srv.TrapConfig())
	require.NoError(t, err)
	srv.SendTrapsTo(serve(t, rc), true)
	open := []treadnet.ServiceRequest{
		{ID: "SR1", SiteID: treadnettest.SiteID(7), Area: treadnettest.Areas[0]},
		{ID: "SR2", SiteID: treadnettest.SiteID(13), Area: treadnettest.Areas[0]}, // same area (north), another site
		{ID: "SR3", SiteID: treadnettest.SiteID(8), Area: treadnettest.Areas[1]},
		{ID: "SR4", Area: treadnettest.Areas[0]},
	}
	o, err := srv.OpenOutage(7, "major", "power")
	require.NoError(t, err)
	ev := next(t, rc)
	assert.Equal(t, treadnet.NetworkOutageDetected, ev.Kind)
	assert.Equal(t, o.ID, ev.OutageID)
	matches := treadnet.Correlate(ev, open)
	require.Len(t, matches, 3)
	assert.Equal(t, treadnet.Match{Request: open[0], By: "site"}, matches[0])
	assert.Equal(t, "SR2", matches[1].Request.ID)
	assert.Equal(t, "area", matches[1].By)
	assert.Equal(t, "SR4", matches[2].Request.ID)
	assert.Equal(t, matches, treadnet.CorrelateOutage(o, open), "the API's outage correlates the same")

	_, err = srv.ResolveOutage(o.ID)
	require.NoError(t, err)
	assert.Equal(t, treadnet.NetworkRestored, next(t, rc).Kind)
	assert.Empty(t, treadnet.Correlate(treadnet.NetworkEvent{SiteID: "TN-050"}, open))
}

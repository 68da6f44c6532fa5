package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestFakeserver(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0") // kept open: no other process can take the port
	require.NoError(t, err)
	admin := l.Addr().String()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- serve(ctx, dir, l, &out) }()
	defer func() { cancel(); require.NoError(t, <-done) }()

	url := "http://" + admin
	require.Eventually(t, func() bool {
		r, err := http.Get(url + "/requests/maddenco")
		if err == nil {
			_ = r.Body.Close()
		}
		return err == nil
	}, 10*time.Second, 10*time.Millisecond)
	for _, system := range []string{"reach", "dayforce", "geotab", "maddenco", "treadnet", "merchant"} {
		assert.Regexp(t, `(?m)^`+system+` +https://`, out.String(), "every fake over HTTPS")
	}
	for _, f := range []string{"reach-ca.pem", "dayforce-ca.pem", "maddenco-ca.pem", "geotab-ca.pem", "merchant-ca.pem", "merchant-client.pem", "merchant-client-key.pem", "treadnet-ca.pem", "treadnet-client.pem", "treadnet-client-key.pem"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Contains(t, string(b), "-----BEGIN")
	}
	r, err := http.Post(url+"/faults/maddenco", "application/json", strings.NewReader(`{"Match":"getEquipment","Status":503}`))
	require.NoError(t, err)
	_ = r.Body.Close()
	assert.Equal(t, http.StatusNoContent, r.StatusCode)
	r, err = http.Get(url + "/requests/maddenco")
	require.NoError(t, err)
	var got map[string]int
	require.NoError(t, json.NewDecoder(r.Body).Decode(&got))
	_ = r.Body.Close()
	assert.Equal(t, 0, got["requests"])
	// a client of another language trusts the fake MyGeotab with the CA in the folder
	ca, err := os.ReadFile(filepath.Join(dir, "geotab-ca.pem"))
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(ca))
	geo := regexp.MustCompile(`geotab +(https://\S+)`).FindStringSubmatch(out.String())
	require.Len(t, geo, 2, out.String())
	tlsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	r, err = tlsClient.Post(geo[1]+"/apiv1/", "application/json", strings.NewReader(`{"method":"GetVersion","params":{}}`))
	require.NoError(t, err)
	var version map[string]any
	require.NoError(t, json.NewDecoder(r.Body).Decode(&version))
	_ = r.Body.Close()
	assert.NotEmpty(t, version["result"])
	tlsClient.CloseIdleConnections()
	r, err = http.Post(url+"/faults/geotab", "application/json", strings.NewReader(`{"Method":"Get","Exception":"OverLimitException"}`))
	require.NoError(t, err)
	_ = r.Body.Close()
	assert.Equal(t, http.StatusNoContent, r.StatusCode)

	r, err = http.Post(url+"/faults/nowhere", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	_ = r.Body.Close()
	assert.Equal(t, http.StatusNotFound, r.StatusCode, fmt.Sprint(r.Status))
	http.DefaultClient.CloseIdleConnections()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

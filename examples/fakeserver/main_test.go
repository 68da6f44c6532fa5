package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
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
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	admin := l.Addr().String()
	_ = l.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- serve(ctx, dir, admin, &out) }()
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
		assert.Contains(t, out.String(), system)
	}
	for _, f := range []string{"merchant-ca.pem", "merchant-client.pem", "merchant-client-key.pem", "treadnet-ca.pem", "treadnet-client.pem", "treadnet-client-key.pem"} {
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

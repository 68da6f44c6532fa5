package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/webhook"
)

// buildCommand builds the dispatch command into the test's temporary directory.
func buildCommand(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dispatch")
	out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// startCommand runs the command with args and returns it with its HTTP URL, once it
// says it is up.
func startCommand(t *testing.T, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	cmd := exec.Command(bin, append([]string{"-addr", addr}, args...)...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	up := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			if !once && strings.Contains(sc.Text(), "dispatch service up") {
				once = true
				close(up)
			}
		}
		if !once {
			close(up)
		}
	}()
	select {
	case <-up:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the service did not come up")
	}
	return cmd, "http://" + addr
}

// reachEvent is a signed Reach delivery (Standard Webhooks) and the bus id it is
// stored as.
func reachEvent(t *testing.T, signer *webhook.StandardSigner, i int) ([]byte, http.Header, string) {
	t.Helper()
	id := fmt.Sprintf("evt_crash_%04d", i)
	b, err := json.Marshal(reach.Event{ID: id, Type: reach.EventTypeServiceRequestStatusChanged, ServiceRequestID: "SR000001", Status: reach.ServiceRequestStatusDispatched,
		OccurredAt: time.Date(2026, 12, 1, 8, 0, i%60, 0, time.UTC)})
	require.NoError(t, err)
	h := http.Header{"Content-Type": []string{"application/json"}}
	signer.Sign(h, id, time.Now(), b)
	return b, h, "reach-" + id
}

// TestKilledServiceLosesNoAcceptedEvent streams signed webhooks into the service,
// kills it (SIGKILL) mid-stream, restarts it on the same store, and checks that every
// webhook answered 2xx is in the stream and was processed (acknowledged) or
// dead-lettered, and that -dead-letters lists the dead letters of an earlier run.
func TestKilledServiceLosesNoAcceptedEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command (skipped with -short)")
	}
	bin := buildCommand(t)
	store := filepath.Join(t.TempDir(), "jetstream")

	// an earlier run leaves a dead letter (the demo's malformed request)
	out, err := exec.Command(bin, "-demo", "-store", store).CombinedOutput()
	require.NoError(t, err, "%s", out)

	signer, err := webhook.NewStandardSigner(reachSecret, nil)
	require.NoError(t, err)
	cmd, url := startCommand(t, bin, "-store", store)
	// four senders stream signed events while the service is killed and restarted:
	// the kill lands with requests in flight
	var mu sync.Mutex
	accepted := map[string]bool{}
	next := 0
	target := url
	client := &http.Client{Timeout: 5 * time.Second}
	const sent, killAt = 400, 120
	send := func() {
		for {
			mu.Lock()
			i, u := next, target
			next++
			mu.Unlock()
			if i >= sent {
				return
			}
			body, hdr, id := reachEvent(t, signer, i)
			req, err := http.NewRequest(http.MethodPost, u+"/hooks/reach", bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header = hdr
			resp, err := client.Do(req)
			if err != nil {
				continue // not accepted: the sender would retry later
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				mu.Lock()
				accepted[id] = true
				mu.Unlock()
			}
		}
	}
	var senders sync.WaitGroup
	for range 4 {
		senders.Add(1)
		go func() { defer senders.Done(); send() }()
	}
	require.NoError(t, waitFor(ctxT(t), "events accepted before the kill", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(accepted) >= killAt
	}))
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	cmd, url = startCommand(t, bin, "-store", store)
	mu.Lock()
	target = url
	mu.Unlock()
	senders.Wait()
	require.Greater(t, len(accepted), killAt-10, "the service accepted events before and after the crash")
	// the restarted service drains the stream, then stops
	require.NoError(t, waitFor(ctxT(t), "the restarted consumer to drain", func() bool {
		resp, err := client.Get(url + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), `dispatch_queue_depth{state="waiting"} 0`) && strings.Contains(string(b), `dispatch_queue_depth{state="unacked"} 0`)
	}))
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())

	ctx := context.Background()
	bus, err := OpenBus(ctx, "", store)
	require.NoError(t, err)
	defer bus.Close()
	st, err := bus.js.Stream(ctx, StreamEvents)
	require.NoError(t, err)
	info, err := st.Info(ctx)
	require.NoError(t, err)
	stored := map[string]bool{}
	for seq := info.State.FirstSeq; seq > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err == nil {
			stored[m.Header.Get(jetstream.MsgIDHeader)] = true
		}
	}
	for id := range accepted {
		assert.True(t, stored[id], "accepted with a 2xx, then lost: %s", id)
	}
	ci, err := st.Consumer(ctx, "dispatcher")
	require.NoError(t, err)
	cinfo, err := ci.Info(ctx)
	require.NoError(t, err)
	assert.Zero(t, cinfo.NumPending, "every stored event was delivered")
	assert.Zero(t, cinfo.NumAckPending, "and acknowledged or dead-lettered")
	assert.Equal(t, info.State.LastSeq, cinfo.AckFloor.Stream, "nothing below the last event awaits an acknowledgement")

	out, err = exec.Command(bin, "-dead-letters", "-store", store).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "dispatch.sr.new: not a service request", "the earlier run's dead letter is listed")
	_ = os.RemoveAll(store)
}

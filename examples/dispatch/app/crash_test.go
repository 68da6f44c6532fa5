package app

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/maddenco"
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

// maddencoEvent is a signed (keyed) Maddenco delivery and the bus id it is stored as.
func maddencoEvent(i int) ([]byte, string) {
	b, _ := json.Marshal(maddenco.Event{ID: fmt.Sprintf("mce_crash_%04d", i), Type: maddenco.EventMaintenanceAlert,
		EquipmentID: "EQ00001", OccurredAt: time.Date(2026, 12, 1, 8, 0, i, 0, time.UTC)})
	sum := sha256.Sum256(b)
	return b, "maddenco-sha256:" + hex.EncodeToString(sum[:])
}

// TestKilledServiceLosesNoAcceptedEvent streams keyed webhooks into the service,
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

	cmd, url := startCommand(t, bin, "-store", store)
	accepted := map[string]bool{}
	client := &http.Client{Timeout: 5 * time.Second}
	const sent, killAt = 300, 120
	for i := range sent {
		if i == killAt {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			_ = cmd.Wait()
			cmd, url = startCommand(t, bin, "-store", store)
		}
		body, id := maddencoEvent(i)
		req, err := http.NewRequest(http.MethodPost, url+"/hooks/maddenco", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(maddenco.KeyHeader, maddencoKey)
		resp, err := client.Do(req)
		if err != nil {
			continue // the sender retries later: not accepted
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			accepted[id] = true
		}
	}
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

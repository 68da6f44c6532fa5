package redisstate_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

// go-redis redials a refused address in the background for a second after the pool
// gave up (it stops once the client is closed): not a leak of ours.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}

// mini starts an in-process Redis (with a controllable clock) for the test.
func mini(t testing.TB) (*miniredis.Miniredis, redis.UniversalClient) {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	return mr, rdb
}

// server is a real redis-server on loopback, started for the test.
type server struct {
	addr, bin, dir string
	port           int
	cmd            *exec.Cmd
}

// realRedis starts Debian's redis-server on a free loopback port (.ci/run installs
// it). Without the binary the test is skipped, saying so.
func realRedis(t testing.TB) (*server, redis.UniversalClient) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed (Debian package redis-server; .ci/run installs it): skipping the integration test against a real Redis")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	s := &server{addr: fmt.Sprintf("127.0.0.1:%d", port), bin: bin, port: port, dir: t.TempDir()}
	s.start(t)
	t.Cleanup(s.stop)
	rdb := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1, DialTimeout: 500 * time.Millisecond})
	t.Cleanup(func() { _ = rdb.Close() })
	s.ready(t, rdb)
	return s, rdb
}

// start runs redis-server without persistence: a restart loses every key.
func (s *server) start(t testing.TB) {
	t.Helper()
	s.cmd = exec.Command(s.bin, "--port", fmt.Sprint(s.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", s.dir)
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
}

// ready waits for the server to accept connections (a bounded wait on a condition).
func (s *server) ready(t testing.TB, rdb redis.UniversalClient) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for rdb.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// signal sends sig (SIGSTOP pauses the server, SIGCONT resumes it).
func (s *server) signal(t testing.TB, sig os.Signal) {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

func (s *server) stop() {
	if s.cmd.Process != nil && s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused server cannot die of SIGKILL's wait
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

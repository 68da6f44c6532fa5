package redisstate_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/resilience"
	"github.com/dispatchcenter/connectors/resilience/redisstate"
	"github.com/dispatchcenter/connectors/webhook"
)

// BenchmarkStores: the cost per call of each Redis-backed store (a real redis-server
// on loopback) against its in-memory default.
func BenchmarkStores(b *testing.B) {
	_, rdb := realRedis(b)
	ctx := context.Background()
	b.Run("limiter/redis-gcra", func(b *testing.B) {
		l, _ := redisstate.NewLimiter(rdb, redisstate.LimiterConfig{Name: "bench", Requests: 1 << 30, Per: time.Second, Burst: 1 << 30})
		b.ReportAllocs()
		for b.Loop() {
			if err := l.Wait(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("limiter/memory-token-bucket", func(b *testing.B) {
		l := resilience.NewTokenBucket(resilience.LimitPolicy{Requests: 1 << 30, Per: time.Second, Burst: 1 << 30}, clock.Real{})
		b.ReportAllocs()
		for b.Loop() {
			if err := l.Wait(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	i := 0
	b.Run("dedup/redis", func(b *testing.B) {
		s := redisstate.NewDedupStore(rdb, redisstate.DedupConfig{})
		b.ReportAllocs()
		for b.Loop() {
			i++
			if _, err := s.Claim(ctx, fmt.Sprint("evt-", i), time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("dedup/memory", func(b *testing.B) {
		s := webhook.NewMemoryStore(0, nil)
		b.ReportAllocs()
		for b.Loop() {
			i++
			if _, err := s.Claim(ctx, fmt.Sprint("evt-", i), time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("idempotency/redis-begin-finish", func(b *testing.B) {
		s := redisstate.NewIdempotencyStore(rdb, redisstate.IdempotencyConfig{})
		b.ReportAllocs()
		for b.Loop() {
			i++
			k := fmt.Sprint("k-", i)
			if _, _, err := s.Begin(ctx, k, time.Minute); err != nil {
				b.Fatal(err)
			}
			if err := s.Finish(ctx, k, []byte(`{"id":"txn_1"}`), time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	})
	sess := []byte(`{"credentials":{"database":"db","userName":"u","sessionId":"s"},"server":"my.geotab.com"}`)
	b.Run("session-load/redis", func(b *testing.B) {
		s := redisstate.NewSessionStore(rdb, redisstate.SessionConfig{})
		_ = s.Save(ctx, "k", sess)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Load(ctx, "k"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("session-load/memory", func(b *testing.B) {
		var s geotab.MemorySessionStore
		_ = s.Save(ctx, "k", sess)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Load(ctx, "k"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

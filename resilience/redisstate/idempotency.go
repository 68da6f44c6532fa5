package redisstate

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dispatchcenter/connectors/clock"
)

// IdempotencyStore is a merchant.IdempotencyStore in Redis: a call claims its key
// with SET NX ("pending") for the claim's TTL, then stores its outcome; a second
// caller polls until the outcome is there or the claim lapses (then it claims it).
type IdempotencyStore struct {
	rdb  redis.UniversalClient
	o    Options
	poll time.Duration
	clk  clock.Clock
}

// IdempotencyConfig configures [NewIdempotencyStore].
type IdempotencyConfig struct {
	// Poll is how often a waiting caller looks for the outcome (default 50 ms).
	Poll time.Duration
	// Clock sleeps between polls (tests).
	Clock clock.Clock
	Options
}

// NewIdempotencyStore returns the store over rdb.
func NewIdempotencyStore(rdb redis.UniversalClient, cfg IdempotencyConfig) *IdempotencyStore {
	s := &IdempotencyStore{rdb: rdb, o: cfg.Options, poll: cfg.Poll, clk: cfg.Clock}
	if s.poll <= 0 {
		s.poll = 50 * time.Millisecond
	}
	if s.clk == nil {
		s.clk = clock.Real{}
	}
	return s
}

const pending = "\x00pending"

// Begin claims key, or returns the outcome stored under it, waiting while another
// caller holds the claim.
func (s *IdempotencyStore) Begin(ctx context.Context, key string, ttl time.Duration) ([]byte, bool, error) {
	k := s.o.key("idem", key)
	for {
		ok, err := s.rdb.SetNX(ctx, k, pending, ttl).Result()
		if err != nil {
			return nil, false, err
		}
		if ok {
			return nil, false, nil
		}
		v, err := s.rdb.Get(ctx, k).Bytes()
		switch {
		case errors.Is(err, redis.Nil):
			continue // released or lapsed between the two calls: claim again
		case err != nil:
			return nil, false, err
		case string(v) != pending:
			return v, true, nil
		}
		if err := s.clk.Sleep(ctx, s.poll); err != nil {
			return nil, false, err
		}
	}
}

// Finish stores the outcome of the call that claimed key.
func (s *IdempotencyStore) Finish(ctx context.Context, key string, outcome []byte, keep time.Duration) error {
	return s.rdb.Set(ctx, s.o.key("idem", key), outcome, keep).Err()
}

// Abort releases the claim.
func (s *IdempotencyStore) Abort(ctx context.Context, key string) error {
	return s.rdb.Del(ctx, s.o.key("idem", key)).Err()
}

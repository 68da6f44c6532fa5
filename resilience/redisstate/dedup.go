package redisstate

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// DedupStore is a webhook.Store in Redis: a delivery's key is claimed with SET NX PX
// for the de-duplication TTL, so a delivery retried to another replica is recognised.
type DedupStore struct {
	rdb redis.UniversalClient
	o   Options
	// failClosed refuses deliveries while Redis is unreachable.
	failClosed bool
}

// DedupConfig configures [NewDedupStore].
type DedupConfig struct {
	// FailClosed answers an error while Redis is unreachable, so the receiver
	// answers 503 and the sender retries later. By default the store fails open: the
	// delivery is processed (a duplicate is possible; events are never lost) and a
	// warning is logged.
	FailClosed bool
	Options
}

// NewDedupStore returns the store over rdb.
func NewDedupStore(rdb redis.UniversalClient, cfg DedupConfig) *DedupStore {
	return &DedupStore{rdb: rdb, o: cfg.Options, failClosed: cfg.FailClosed}
}

// Claim records key for ttl and reports whether it was new.
func (s *DedupStore) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.o.key("dedup", key), 1, ttl).Result()
	if err != nil {
		if s.failClosed || ctx.Err() != nil {
			return false, err
		}
		s.o.log().Warn("redisstate: de-duplication unavailable; processing the delivery (it may be a repeat)", "error", err)
		return true, nil
	}
	return ok, nil
}

// Release forgets a claim whose hand-off failed.
func (s *DedupStore) Release(ctx context.Context, key string) error {
	err := s.rdb.Del(ctx, s.o.key("dedup", key)).Err()
	if err != nil && !s.failClosed {
		s.o.log().Warn("redisstate: releasing a claim failed; the sender's retry will be taken as a repeat until the TTL passes", "error", err)
	}
	return err
}

package redisstate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dispatchcenter/connectors/clock"
)

// SessionStore is a geotab.SessionStore and geotab.SessionLocker in Redis: one
// MyGeotab session for every replica, and a short lock so that one replica logs in
// when the session lapses.
type SessionStore struct {
	rdb     redis.UniversalClient
	o       Options
	ttl     time.Duration
	lockTTL time.Duration
	poll    time.Duration
	clk     clock.Clock
}

// SessionConfig configures [NewSessionStore].
type SessionConfig struct {
	// TTL of a stored session (default 14 days: MyGeotab sessions last until the
	// password changes or the server drops them; a dropped one is replaced on the
	// first refused call).
	TTL time.Duration
	// LockTTL bounds a login under the lock (default 30 s).
	LockTTL time.Duration
	// Poll is how often a replica waiting for the lock tries again (default 50 ms).
	Poll time.Duration
	// Clock sleeps between tries (tests).
	Clock clock.Clock
	Options
}

// NewSessionStore returns the store over rdb.
func NewSessionStore(rdb redis.UniversalClient, cfg SessionConfig) *SessionStore {
	s := &SessionStore{rdb: rdb, o: cfg.Options, ttl: cfg.TTL, lockTTL: cfg.LockTTL, poll: cfg.Poll, clk: cfg.Clock}
	if s.ttl <= 0 {
		s.ttl = 14 * 24 * time.Hour
	}
	if s.lockTTL <= 0 {
		s.lockTTL = 30 * time.Second
	}
	if s.poll <= 0 {
		s.poll = 50 * time.Millisecond
	}
	if s.clk == nil {
		s.clk = clock.Real{}
	}
	return s
}

// Load returns the shared session, or nil.
func (s *SessionStore) Load(ctx context.Context, key string) ([]byte, error) {
	b, err := s.rdb.Get(ctx, s.o.key("geotab-session", key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return b, err
}

// Save shares a session.
func (s *SessionStore) Save(ctx context.Context, key string, session []byte) error {
	return s.rdb.Set(ctx, s.o.key("geotab-session", key), session, s.ttl).Err()
}

// unlock deletes the lock only if it is still ours.
var unlock = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// Lock takes the login lock of key, waiting while another replica holds it.
func (s *SessionStore) Lock(ctx context.Context, key string) (func(), error) {
	k := s.o.key("geotab-login", key)
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	for {
		ok, err := s.rdb.SetNX(ctx, k, token, s.lockTTL).Result()
		if err != nil {
			return nil, err
		}
		if ok {
			return func() { _ = unlock.Run(context.WithoutCancel(ctx), s.rdb, []string{k}, token).Err() }, nil
		}
		if err := s.clk.Sleep(ctx, s.poll); err != nil {
			return nil, err
		}
	}
}

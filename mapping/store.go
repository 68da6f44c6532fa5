package mapping

import (
	"context"
	"errors"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors/clock"
)

// FailedRecord is a record that could not be mapped, kept until it can be.
type FailedRecord struct {
	// Key identifies the record for its whole life ("reach/customer/C00042"); a record
	// failing again replaces its entry.
	Key string
	// Mapping and Version are what failed.
	Mapping string
	Version int
	// Payload is the source record as the caller serialised it, to try again.
	Payload []byte
	// Class is the record's most urgent class; Errors its problems.
	Class  Class
	Errors []Problem
	// Attempts counts the failures; FirstSeen and LastSeen bound them.
	Attempts            int
	FirstSeen, LastSeen time.Time
}

// Problem is one field error as stored (no cause, the value already redacted).
type Problem struct {
	Source, Target, Rule, Code, Value, Action string
	Class                                     Class
}

// NewFailedRecord makes the store entry of a record that failed with err (a
// [*RecordError] or any other error, stored as a system problem).
func NewFailedRecord(key string, payload []byte, err error) FailedRecord {
	fr := FailedRecord{Key: key, Payload: payload}
	var re *RecordError
	if errors.As(err, &re) {
		fr.Mapping, fr.Version, fr.Class = re.Mapping, re.Version, re.Class()
		for _, fe := range re.Errors {
			fr.Errors = append(fr.Errors, Problem{Source: fe.Source, Target: fe.Target, Rule: fe.Rule, Code: fe.Code,
				Value: fe.Value, Class: fe.Class, Action: fe.Action()})
		}
		return fr
	}
	fr.Class = ClassSystem
	fr.Errors = []Problem{{Rule: "apply", Code: CodeUnavailable, Class: ClassSystem, Action: Action(CodeUnavailable, ClassSystem)}}
	return fr
}

// Store keeps failed records by key. Implementations must be safe for concurrent
// use.
type Store interface {
	// Put records a failure; for a key already there it replaces the problems, adds
	// to Attempts and keeps FirstSeen.
	Put(ctx context.Context, r FailedRecord) error
	// Delete forgets a record (it was mapped at last).
	Delete(ctx context.Context, key string) error
	// Scan returns at most limit records with keys after after, in key order.
	Scan(ctx context.Context, after string, limit int) ([]FailedRecord, error)
}

// ErrStoreFull is returned by a full [MemoryStore]: a failed record is never dropped
// silently; the caller keeps it (e.g. leaves the message unacknowledged).
var ErrStoreFull = errors.New("mapping: the error store is full")

// MemoryStore is a bounded in-memory [Store].
type MemoryStore struct {
	max int
	clk clock.Clock

	mu   sync.Mutex
	recs map[string]*FailedRecord
	keys []string // sorted
}

// NewMemoryStore holds at most max records (default 10 000); clk stamps them (nil:
// the wall clock).
func NewMemoryStore(max int, clk clock.Clock) *MemoryStore {
	if max <= 0 {
		max = 10000
	}
	if clk == nil {
		clk = clock.Real{}
	}
	return &MemoryStore{max: max, clk: clk, recs: map[string]*FailedRecord{}}
}

// Put implements [Store].
func (s *MemoryStore) Put(_ context.Context, r FailedRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	if old, ok := s.recs[r.Key]; ok {
		r.Attempts, r.FirstSeen = old.Attempts+1, old.FirstSeen
	} else {
		if len(s.recs) >= s.max {
			return ErrStoreFull
		}
		r.Attempts, r.FirstSeen = 1, now
		i := sort.SearchStrings(s.keys, r.Key)
		s.keys = slices.Insert(s.keys, i, r.Key)
	}
	r.LastSeen = now
	r.Payload = slices.Clone(r.Payload)
	r.Errors = slices.Clone(r.Errors)
	s.recs[r.Key] = &r
	return nil
}

// Delete implements [Store].
func (s *MemoryStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.recs[key]; !ok {
		return nil
	}
	delete(s.recs, key)
	i := sort.SearchStrings(s.keys, key)
	s.keys = slices.Delete(s.keys, i, i+1)
	return nil
}

// Scan implements [Store].
func (s *MemoryStore) Scan(_ context.Context, after string, limit int) ([]FailedRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.SearchStrings(s.keys, after)
	if i < len(s.keys) && s.keys[i] == after {
		i++
	}
	var out []FailedRecord
	for ; i < len(s.keys) && len(out) < limit; i++ {
		out = append(out, *s.recs[s.keys[i]])
	}
	return out, nil
}

// Len returns how many records the store holds.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs)
}

// ReprocessResult counts what a [Reprocess] pass did.
type ReprocessResult struct {
	Tried, Fixed, Failing int
}

// Reprocess tries every stored record of the given classes (all when none are
// given) again with try, walking the store by key so that records deleted on the
// way never make it skip one (offset paging over a shrinking set does). A record try
// maps is deleted; one that fails again is stored with its new problems.
func Reprocess(ctx context.Context, s Store, try func(context.Context, FailedRecord) error, classes ...Class) (ReprocessResult, error) {
	return ReprocessWhere(ctx, s, try, func(r FailedRecord) bool { return len(classes) == 0 || slices.Contains(classes, r.Class) }, nil)
}

// ReprocessWhere is [Reprocess] for the records match accepts, reporting its counts
// to progress (when not nil) after each record. The store is only asked for batches of 100 records (Scan), so
// a long pass holds none of its locks between them.
func ReprocessWhere(ctx context.Context, s Store, try func(context.Context, FailedRecord) error, match func(FailedRecord) bool,
	progress func(ReprocessResult)) (ReprocessResult, error) {
	var res ReprocessResult
	after := ""
	for {
		batch, err := s.Scan(ctx, after, 100)
		if err != nil {
			return res, err
		}
		if len(batch) == 0 {
			return res, nil
		}
		for _, r := range batch {
			after = r.Key
			if !match(r) {
				continue
			}
			if err := ctx.Err(); err != nil {
				return res, err
			}
			res.Tried++
			if err := try(ctx, r); err != nil {
				res.Failing++
				if err := s.Put(ctx, NewFailedRecord(r.Key, r.Payload, err)); err != nil {
					return res, err
				}
			} else {
				res.Fixed++
				if err := s.Delete(ctx, r.Key); err != nil {
					return res, err
				}
			}
			if progress != nil {
				progress(res)
			}
		}
	}
}

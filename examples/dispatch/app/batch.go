package app

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/canonical"
)

// followFeeds follows GeoTab's LogRecord feed and its geofence feed (the
// ExceptionEvent feed of the zones' entry and exit rules), their version tokens kept
// in files under dir, and publishes each record mapped to its canonical model:
// positions and geofence events.
func (s *Service) followFeeds(ctx context.Context, dir string) func() {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	feed := func(name string) geotab.FeedOptions { // each feed keeps its own checkpoint
		return geotab.FeedOptions{Checkpoint: connectors.FileCheckpoint{Path: filepath.Join(dir, name+".json")},
			MinWait: time.Second, MaxWait: 10 * time.Second}
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		m, _ := s.maps.Mapping("geotab-logrecord")
		for lr, err := range s.geotab.LogRecordFeed(ctx, feed("geotab-logrecord-feed")) {
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				s.log.Warn("the LogRecord feed failed; retrying", "error", err)
				continue
			}
			s.warnPublish("dispatch.geotab.position", publishMapped[canonical.VehiclePosition](s, ctx, m, lr, "dispatch.geotab.position", "lr-"+lr.ID))
		}
	}()
	go func() {
		defer wg.Done()
		m, _ := s.maps.Mapping("geotab-geofence")
		for g, err := range s.geotab.GeofenceFeed(ctx, feed("geotab-geofence-feed")) {
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				s.log.Warn("the geofence feed failed; retrying", "error", err)
				continue
			}
			if g.Retracted {
				s.log.Info("MyGeotab withdrew a geofence event", "event", g.EventID, "zone", g.ZoneID)
				continue
			}
			if err := publishMappedEvent[canonical.GeofenceEvent](s, ctx, m, g, "dispatch.geotab.geofence", "geofence-"+g.EventID, "geofence."+string(g.Kind)); err != nil {
				s.log.Warn("publishing failed", "subject", "dispatch.geotab.geofence", "error", err)
			}
		}
	}()
	return func() { cancel(); wg.Wait() }
}

// publishMapped maps src with m into a T and publishes it under id. A record that
// does not map is logged and kept out of the bus; a failed publish is returned.
func publishMapped[T any](s *Service, ctx context.Context, m *mapping.Mapping, src any, subject, id string) error {
	return publishMappedEvent[T](s, ctx, m, src, subject, id, "")
}

// publishMappedEvent is publishMapped with the vendor's event type beside the record.
func publishMappedEvent[T any](s *Service, ctx context.Context, m *mapping.Mapping, src any, subject, id, typ string) error {
	out, err := mapping.Map[T](m, src)
	if err != nil {
		s.mappingFailed(ctx, err)
		s.log.Warn("a record did not map; kept out of the bus", "mapping", m.Name(), "error", err)
		return nil
	}
	b, _ := json.Marshal(out)
	if typ == "" {
		return s.bus.Publish(ctx, subject, id, b)
	}
	return s.bus.PublishEvent(ctx, subject, id, typ, b)
}

// warnPublish logs a failed publish of a flow that goes on after one.
func (s *Service) warnPublish(subject string, err error) {
	if err != nil {
		s.log.Warn("publishing failed", "subject", subject, "error", err)
	}
}

// Jobs of the integration design's daily batch, each resumable from its checkpoint.
type batchJob struct {
	name string
	at   time.Duration // time of day, UTC
	run  func(ctx context.Context) (int, error)
}

func (s *Service) batchJobs() []batchJob {
	return []batchJob{
		{"dayforce-employees", time.Hour, s.syncEmployees},
		{"reach-sync", 2 * time.Hour, func(ctx context.Context) (int, error) { return 0, s.SyncReach(ctx) }},
		{"maddenco-changes", 3 * time.Hour, s.syncEquipment},
	}
}

// RunJob runs one daily job now, on demand; it resumes from its checkpoint.
func (s *Service) RunJob(ctx context.Context, name string) error {
	for _, j := range s.batchJobs() {
		if j.name == name {
			n, err := j.run(ctx)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			s.step(fmt.Sprintf("batch %s: %d record(s)", name, n))
			return nil
		}
	}
	return fmt.Errorf("no job %q", name)
}

// schedule runs each daily job at its time of day until ctx ends.
func (s *Service) schedule(ctx context.Context, now func() time.Time) func() {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, j := range s.batchJobs() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				t := now().UTC()
				next := t.Truncate(24 * time.Hour).Add(j.at)
				if !next.After(t) {
					next = next.Add(24 * time.Hour)
				}
				timer := time.NewTimer(next.Sub(t))
				select {
				case <-ctx.Done():
					timer.Stop()
					return
				case <-timer.C:
				}
				if err := s.RunJob(ctx, j.name); err != nil && ctx.Err() == nil {
					s.log.Warn("a daily job failed; it resumes from its checkpoint next time", "job", j.name, "error", err)
				}
			}
		}()
	}
	return func() { cancel(); wg.Wait() }
}

// syncEmployees reads every Dayforce employee's record (01:00): technicians mapped to
// the canonical model.
func (s *Service) syncEmployees(ctx context.Context) (int, error) {
	ids, err := s.dayforce.Employees(ctx, dayforce.EmployeeFilter{})
	if err != nil {
		return 0, err
	}
	m, _ := s.maps.Mapping("dayforce-employee")
	n := 0
	for _, id := range ids.Data {
		e, err := s.dayforce.Employee(ctx, id, dayforce.EmployeeOptions{})
		if err != nil {
			return n, err
		}
		if _, err := mapping.Map[canonical.Technician](m, e.Data); err == nil {
			n++
		}
	}
	return n, nil
}

// syncEquipment reads Maddenco's change feed (03:00) from its checkpoint.
func (s *Service) syncEquipment(ctx context.Context) (int, error) {
	n := 0
	for _, err := range s.maddenco.Sync(ctx, s.maddencoCP, maddenco.SyncOptions{}) {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// checkpoints keeps the daily jobs' positions in files under dir.
func checkpoints(dir string) (reachCP, maddencoCP connectors.Checkpoint) {
	return connectors.FileCheckpoint{Path: filepath.Join(dir, "reach-sync.json")}, connectors.FileCheckpoint{Path: filepath.Join(dir, "maddenco-changes.json")}
}

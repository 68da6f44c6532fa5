package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/canonical"
	"github.com/dispatchcenter/connectors/ops"
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

// DefaultErrorJobEvery is how often each module's error-processing job runs by
// default (Config.ErrorJobEvery, DISPATCH_ERROR_JOB_EVERY).
const DefaultErrorJobEvery = 15 * time.Minute

// registerJobs puts the integration design's daily batch in the console's job
// registry, each job resumable from its checkpoint; with pingBase set (a
// healthchecks.io ping URL with a ping key, "https://hc-ping.com/<key>"), each run
// pings the check named after the job.
func (s *Service) registerJobs(pingBase string, errorEvery time.Duration) error {
	if errorEvery <= 0 {
		errorEvery = DefaultErrorJobEvery
	}
	for _, j := range []struct {
		name, module string
		at           time.Duration // time of day, UTC
		run          func(ctx context.Context) (int, error)
	}{
		{"dayforce-employees", "dayforce", time.Hour, s.syncEmployees},
		{"reach-sync", "reach", 2 * time.Hour, func(ctx context.Context) (int, error) { return 0, s.SyncReach(ctx) }},
		{"maddenco-changes", "maddenco", 3 * time.Hour, s.syncEquipment},
	} {
		job := ops.Job{Name: j.name, Module: j.module, Kind: ops.Regular, Schedule: ops.Daily(j.at), Run: j.run}
		if pingBase != "" {
			job.PingURL = strings.TrimRight(pingBase, "/") + "/" + j.name
		}
		if err := s.registry.Register(job); err != nil {
			return err
		}
	}
	// each module's error-processing job: its webhook events the mapping refused,
	// mapped again (the mapping may have been fixed since), every errorEvery
	for system := range s.inbounds {
		job := ops.Job{Name: system + "-errors", Module: system, Kind: ops.ErrorProcessing, Schedule: ops.Every(errorEvery),
			Run: func(ctx context.Context) (int, error) {
				res, err := mapping.ReprocessWhere(ctx, s.failed, s.retryFailed,
					func(r mapping.FailedRecord) bool { return strings.HasPrefix(r.Key, system+"/") }, nil)
				return res.Fixed, err
			}}
		if pingBase != "" {
			job.PingURL = strings.TrimRight(pingBase, "/") + "/" + job.Name
		}
		if err := s.registry.Register(job); err != nil {
			return err
		}
	}
	return nil
}

// RunJob runs one daily job now, on demand; it resumes from its checkpoint.
func (s *Service) RunJob(ctx context.Context, name string) error {
	run, err := s.registry.RunNow(ctx, name, connectors.ActorFrom(ctx))
	if err != nil {
		if !errors.Is(err, ops.ErrNoJob) {
			s.log.Warn("a daily job failed; it resumes from its checkpoint next time", "job", name, "error", err)
		}
		return err
	}
	s.step(fmt.Sprintf("batch %s: %d record(s)", name, run.Records))
	return nil
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

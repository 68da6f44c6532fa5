package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/merchant/merchanttest"
	"github.com/dispatchcenter/connectors/reach"
)

// Timeline collects the steps of the flows with their times.
type Timeline struct {
	mu    sync.Mutex
	start time.Time
	out   io.Writer
	steps []string
}

// NewTimeline prints each step to out as it happens.
func NewTimeline(out io.Writer) *Timeline { return &Timeline{start: time.Now(), out: out} }

// Step records one step.
func (t *Timeline) Step(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.steps = append(t.steps, s)
	if t.out != nil {
		fmt.Fprintf(t.out, "[%6.2fs] %s\n", time.Since(t.start).Seconds(), s)
	}
}

// Steps returns the steps so far.
func (t *Timeline) Steps() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.steps...)
}

// Demo plays one complete dispatch story against the fakes: a request comes in, a
// technician is chosen and the vehicle routed, the vehicle arrives, a network outage
// is correlated, the gateway fails once and the payment is retried, the job is done
// and paid, and a poison message is dead-lettered.
func (s *Service) Demo(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	s.step("dispatch service up: webhooks at " + s.URL + ", SNMP traps at " + s.TrapAddr)

	// the customer calls; the operator opens a request in Reach, at a site near the fleet
	fleet, err := s.geotab.DeviceStatusInfos(ctx, geotab.DeviceStatusInfoSearch{})
	if err != nil || len(fleet) == 0 {
		return fmt.Errorf("the fleet: %w", err)
	}
	// a site 2 km north of a vehicle, so the one sent there drives into its zone
	site := reach.Address{Line1: "100 Queen Street West", City: "Toronto", Region: "north", PostalCode: "M5H 2N2", Country: "CA",
		Latitude: fleet[0].Latitude + 0.018, Longitude: fleet[0].Longitude}
	sr, err := s.reach.CreateServiceRequest(ctx, reach.NewServiceRequest{CustomerID: "C00001", Description: "no heat in the server room",
		Priority: reach.PriorityEmergency, Category: "hvac", Site: site})
	if err != nil {
		return err
	}
	if err := s.SyncReach(ctx); err != nil { // the Reach sync finds it
		return err
	}
	var job Job
	if err := waitFor(ctx, "the dispatch", func() bool {
		for _, j := range s.Jobs() {
			if j.SR.ID == sr.ID {
				job = j
				return true
			}
		}
		return false
	}); err != nil {
		return err
	}

	// the vehicle drives to the site: MyGeotab's rule engine records its entry into
	// the zone under the zone's EnteringArea rule, and the geofence feed brings it
	s.fakes.Geotab.Visit(job.Vehicle, site.Latitude, site.Longitude, time.Hour)
	s.step("(the fake fleet's clock runs a minute every 50 ms while the vehicle drives)")
	tick := time.Now()
	if err := waitFor(ctx, "the arrival", func() bool {
		if time.Since(tick) >= 50*time.Millisecond {
			s.fakes.Geotab.Advance(time.Minute)
			tick = time.Now()
		}
		got, err := s.reach.ServiceRequest(ctx, sr.ID)
		return err == nil && got.Status == reach.ServiceRequestStatusOnSite
	}); err != nil {
		return err
	}

	// a network outage in the area
	if _, err := s.fakes.Treadnet.OpenOutage(1, "major", "fiber cut"); err != nil {
		return err
	}
	if err := waitFor(ctx, "the outage correlation", func() bool {
		for _, j := range s.Jobs() {
			if j.SR.ID == sr.ID && len(j.Flags) > 0 {
				return true
			}
		}
		return false
	}); err != nil {
		return err
	}

	// Maddenco flags the equipment at the site
	s.fakes.Maddenco.Push(maddenco.Event{Type: maddenco.EventTypeMaintenanceAlert, EquipmentID: "EQ00001", SiteID: site.Region, Message: "compressor overdue"})
	if err := waitFor(ctx, "the equipment flag", func() bool {
		for _, j := range s.Jobs() {
			if j.SR.ID == sr.ID && slices.ContainsFunc(j.Flags, func(f string) bool { return strings.HasPrefix(f, "equipment") }) {
				return true
			}
		}
		return false
	}); err != nil {
		return err
	}

	// the job is done; the gateway fails once before the payment goes through
	s.fakes.Merchant.Fail(merchanttest.Fault{Match: "profilesale", Status: 503})
	s.step("(injected: the payment gateway answers 503 once)")
	if _, err := s.reach.SetStatus(ctx, sr.ID, reach.StatusUpdate{Status: reach.ServiceRequestStatusCompleted, Note: "thermostat replaced"}); err != nil {
		return err
	}
	if err := waitFor(ctx, "the payment", func() bool {
		for _, j := range s.Jobs() {
			if j.SR.ID == sr.ID && j.PaymentID != "" {
				return true
			}
		}
		return false
	}); err != nil {
		return err
	}

	// Reach raises an emergency alert on the request with a priority its
	// administrators added ("critical"), which the reach-event mapping's lookup does
	// not know yet: the record waits in the Errors tab for an operator to add the
	// value in the Mappings tab and reprocess it (the operations guide's "Managing
	// Metadata Mapping"); the vendor's event is passed on meanwhile
	refused := s.failed.Len()
	s.fakes.Reach.Push(reach.Event{Type: reach.EventTypeEmergencyAlert, ServiceRequestID: sr.ID, CustomerID: sr.CustomerID,
		Priority: "critical", Note: "customer reports smoke"})
	if err := waitFor(ctx, "the refused record", func() bool { return s.failed.Len() > refused }); err != nil {
		return err
	}
	s.step(`reach: an emergency alert with priority "critical" is refused by the reach-event mapping (unknown_lookup_value): kept in the console's Errors tab`)

	// a message no flow can read
	if err := s.bus.Publish(ctx, "dispatch.sr.new", "poison-1", []byte("{not json")); err != nil {
		return err
	}
	// the consumer stores the dead letter, then reports and counts it: wait for the
	// count, so the report is in the story before its end
	if err := waitFor(ctx, "the dead letter", func() bool {
		if s.metrics.deadN.Load() == 0 {
			return false
		}
		dl, err := s.bus.DeadLetters(ctx)
		return err == nil && len(dl) > 0
	}); err != nil {
		return err
	}
	s.step(fmt.Sprintf("story complete: %d vendor payment(s), %d dead letter(s)", s.fakes.Merchant.Payments(), s.metrics.deadN.Load()))
	return nil
}

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, what string, cond func() bool) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-t.C:
		}
	}
	return nil
}

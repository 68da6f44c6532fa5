package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/canonical"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/treadnet/treadnettest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/nats-io/nats-server/v2/server.(*Server).Start.func1"))
}

func runDemo(t *testing.T, natsURL string, tp ...trace.TracerProvider) (*Timeline, *Fakes, *Service) {
	t.Helper()
	fakes := startFakes(t)
	tl := NewTimeline(nil)
	cfg := Config{NATSURL: natsURL, Step: tl.Step}
	if len(tp) > 0 {
		cfg.TracerProvider = tp[0]
	}
	svc, err := New(context.Background(), cfg, fakes)
	require.NoError(t, err)
	t.Cleanup(svc.Close)
	require.NoError(t, svc.Demo(context.Background()))
	return tl, fakes, svc
}

// TestDemo plays the story and checks that every step happened, in the systems.
func TestDemo(t *testing.T) {
	tl, fakes, svc := runDemo(t, "")
	steps := strings.Join(tl.Steps(), "\n")
	for _, want := range []string{"request SR000001 in: emergency", "(HVAC, available) chosen", "routed to the site", "Reach says dispatched",
		"(an EnteringArea rule's event, from the GeoTab geofence feed): Reach says on site", "network outage at TN-001", "1 open request(s) flagged", "equipment EQ00001: maintenance.alert", "work-order punch", "retry:",
		"captured: 189.50 USD", "gateway: payment.completed", "dead-lettered after 3 deliveries", "story complete"} {
		assert.Contains(t, steps, want)
	}
	assert.Equal(t, 1, fakes.Merchant.Payments(), "one payment, though the gateway failed once")
	ctx := context.Background()
	c, err := reach.New(fakes.Reach.Config(), reach.WithHTTPClient(fakes.Reach.Client()))
	require.NoError(t, err)
	sr, err := c.ServiceRequest(ctx, "SR000001")
	require.NoError(t, err)
	assert.Equal(t, reach.ServiceRequestStatusCompleted, sr.Status)
	tech := sr.TechnicianID
	assert.True(t, slices.ContainsFunc(fakes.Dayforce.EmployeeSkills(tech), func(k dayforce.EmployeeSkill) bool { return k.Skill.XRefCode == "HVAC" }),
		"the chosen technician has the skill")
	punches := fakes.Dayforce.Punches(fakes.Dayforce.Badge(tech))
	assert.NotEmpty(t, punches, "the work-order punch is in Dayforce")
	dl, err := svc.Bus().DeadLetters(ctx)
	require.NoError(t, err)
	require.Len(t, dl, 1)
	assert.Equal(t, "dispatch.sr.new", dl[0].Subject)
	assert.Contains(t, dl[0].Error, "not a service request")
	m := scrape(t, svc)
	assert.Equal(t, 1.0, value(t, m, "dispatch_vendor_requests_total", "system", "merchant", "class", "5xx"))
	assert.Equal(t, 1.0, value(t, m, "dispatch_vendor_retries_total", "system", "merchant"))
	assert.Equal(t, 1.0, value(t, m, "dispatch_dead_letters_total"))
	assert.Contains(t, m, "dispatch_queue_depth")
	assert.Equal(t, dto.MetricType_HISTOGRAM, m["dispatch_vendor_request_duration_seconds"].GetType(), "vendor latency is a histogram")
	assert.Positive(t, value(t, m, "dispatch_vendor_request_duration_seconds", "system", "merchant"), "observations by system and operation")
	// the SDK's OpenTelemetry metrics are read into the same registry
	assert.Equal(t, dto.MetricType_HISTOGRAM, m["http_client_request_duration_seconds"].GetType(), "the OTel semantic conventions' client duration")
	assert.Positive(t, value(t, m, "http_client_request_duration_seconds", "url_template", "/api/servicerequests/{id}"))
	assert.Equal(t, 1.0, value(t, m, "connectors_client_retries_total"), "the gateway's 503")
	assert.Equal(t, 1.0, value(t, m, "connectors_mapping_errors_total"), "the refused Reach event")
	assert.Contains(t, m, "connectors_webhook_deliveries_total")
	jobs := svc.Jobs()
	require.Len(t, jobs, 1)
	assert.NotEmpty(t, jobs[0].Flags)

	// what crossed the bus is canonical, the vendor's event type beside it
	b, typ, err := svc.Bus().Last(ctx, "dispatch.reach.service_request")
	require.NoError(t, err)
	var got canonical.ServiceRequest
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, "servicerequest.completed", typ)
	assert.Equal(t, canonical.ServiceRequest{ID: "SR000001", Source: canonical.Source{System: "reach", ID: "SR000001"}, CustomerID: "C00001",
		Status: "completed", Priority: "emergency", TechnicianID: tech}, got)
	// the Reach event the reach-event mapping refused waits in the error store; with
	// the value added to the mapping's lookup, reprocessing publishes it
	assert.Contains(t, steps, `priority "critical" is refused by the reach-event mapping (unknown_lookup_value)`)
	require.Equal(t, 1, svc.failed.Len())
	text, err := svc.mapDir.Read("reach-event.yaml")
	require.NoError(t, err)
	problems, err := svc.mapDir.Save("reach-event.yaml", bytes.Replace(text, []byte("low: low}"), []byte("low: low, critical: emergency}"), 1), "test")
	require.NoError(t, err)
	require.Empty(t, problems)
	res, err := mapping.Reprocess(ctx, svc.failed, svc.retryFailed)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Fixed)
	assert.Zero(t, svc.failed.Len())
	b, typ, err = svc.Bus().Last(ctx, "dispatch.reach.service_request")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, "emergency.alert", typ, "the reprocessed event is published")
	assert.Equal(t, canonical.PriorityEmergency, got.Priority, "mapped with the edited lookup")
	// the dispatch screen's assignment: the job site where Reach has it
	b, _, err = svc.Bus().Last(ctx, "dispatch.assignment")
	require.NoError(t, err)
	var a canonical.Assignment
	require.NoError(t, json.Unmarshal(b, &a))
	assert.Equal(t, canonical.Assignment{ServiceRequestID: "SR000001", TechnicianID: tech, VehicleID: jobs[0].Vehicle, ZoneID: jobs[0].Zone,
		Site: canonical.GeoPoint{Latitude: jobs[0].Site.Latitude, Longitude: jobs[0].Site.Longitude}, At: a.At}, a)
	// the arrival came from the geofence feed: the job's vehicle entering the job's zone
	assert.Contains(t, steps, fmt.Sprintf("vehicle %s entered zone %s (an EnteringArea rule's event", jobs[0].Vehicle, jobs[0].Zone))
	b, typ, err = svc.Bus().Last(ctx, "dispatch.geotab.geofence")
	require.NoError(t, err)
	var g canonical.GeofenceEvent
	require.NoError(t, json.Unmarshal(b, &g))
	assert.Equal(t, "geofence."+g.Kind, typ)
	assert.Contains(t, []string{"entered", "exited"}, g.Kind)
	assert.NotEmpty(t, g.VehicleID)
	assert.NotEmpty(t, g.ZoneID)
}

// TestCrashedConsumerRedelivers kills a consumer after a flow's side effects and
// before its acknowledgement: the event is delivered again to the next instance, and
// the side effects are not repeated (Reach, the system of record, says it was done).
func TestCrashedConsumerRedelivers(t *testing.T) {
	ctx := context.Background()
	nats, err := OpenBus(ctx, "", "") // a NATS both instances use
	require.NoError(t, err)
	t.Cleanup(nats.Close)
	fakes := startFakes(t)
	tl := NewTimeline(nil)
	var a *Service
	var crash sync.Once
	a, err = New(ctx, Config{NATSURL: nats.URL(), Step: tl.Step, AckWait: 500 * time.Millisecond, BeforeAck: func(subject string) {
		if subject == "dispatch.sr.new" {
			crash.Do(a.bus.Disconnect) // the process dies before it acknowledges
		}
	}}, fakes)
	require.NoError(t, err)
	t.Cleanup(a.Close)
	c, err := reach.New(fakes.Reach.Config(), reach.WithHTTPClient(fakes.Reach.Client()))
	require.NoError(t, err)
	sr, err := c.CreateServiceRequest(ctx, reach.NewServiceRequest{CustomerID: "C00001", Description: "leak", Priority: reach.PriorityHigh,
		Site: reach.Address{Region: "north", Latitude: 43.65, Longitude: -79.38}})
	require.NoError(t, err)
	require.NoError(t, a.SyncReach(ctx))
	require.NoError(t, waitFor(ctxT(t), "the first instance's dispatch", func() bool { return len(a.Jobs()) == 1 }))

	b, err := New(ctx, Config{NATSURL: nats.URL(), Step: tl.Step, AckWait: 500 * time.Millisecond}, fakes)
	require.NoError(t, err)
	t.Cleanup(b.Close)
	require.NoError(t, waitFor(ctxT(t), "the redelivery", func() bool {
		return strings.Contains(strings.Join(tl.Steps(), "\n"), "request "+sr.ID+" already dispatched")
	}), strings.Join(tl.Steps(), "\n"))
	statusCalls := 0
	for _, r := range fakes.Reach.Requests() {
		if strings.HasSuffix(r.Path, "/"+sr.ID+"/status") {
			statusCalls++
		}
	}
	assert.Equal(t, 1, statusCalls, "dispatched once: no duplicate side effect")
}

// TestExternalNATS runs the story against a nats-server process (.ci/run builds one
// into .bin from the module proxy); skipped, saying so, where there is none.
func TestExternalNATS(t *testing.T) {
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		if p, _ := filepath.Abs("../../../.bin/nats-server"); fileExists(p) {
			bin = p
		} else {
			t.Skip("no nats-server binary (.ci/run builds one into .bin): skipping the run against an external NATS server")
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", fmt.Sprint(port), "-js", "-sd", t.TempDir())
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	require.NoError(t, waitFor(ctxT(t), "nats-server", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}))
	tl, fakes, _ := runDemo(t, url)
	assert.Contains(t, strings.Join(tl.Steps(), "\n"), "story complete")
	assert.Equal(t, 1, fakes.Merchant.Payments())
}

// TestDailyJobsOnDemand runs the seeds' daily jobs on demand; a second run resumes
// from the checkpoints (nothing new to read).
func TestDailyJobsOnDemand(t *testing.T) {
	fakes := startFakes(t)
	tl := NewTimeline(nil)
	svc, err := New(context.Background(), Config{Step: tl.Step, StateDir: t.TempDir()}, fakes)
	require.NoError(t, err)
	t.Cleanup(svc.Close)
	ctx := context.Background()
	for _, job := range []string{"dayforce-employees", "reach-sync", "maddenco-changes"} {
		require.NoError(t, svc.RunJob(ctx, job), job)
	}
	require.NoError(t, svc.RunJob(ctx, "maddenco-changes"))
	steps := tl.Steps()
	assert.Contains(t, steps, "batch dayforce-employees: 20 record(s)")
	assert.Contains(t, steps[len(steps)-2], "batch maddenco-changes: ")
	assert.NotEqual(t, steps[len(steps)-2], steps[len(steps)-1])
	assert.Equal(t, "batch maddenco-changes: 0 record(s)", steps[len(steps)-1], "resumed from the checkpoint")
	assert.Error(t, svc.RunJob(ctx, "payroll"))
}

// TestHostileTrapKeepsServing sends the 7-byte packet that once crashed the service
// (an SNMPv3 header with nothing after it) to the trap port: the service counts it as
// malformed and goes on turning traps into events on the bus.
func TestHostileTrapKeepsServing(t *testing.T) {
	fakes := startFakes(t)
	svc, err := New(context.Background(), Config{}, fakes)
	require.NoError(t, err)
	t.Cleanup(svc.Close)
	conn, err := net.Dial("udp", svc.TrapAddr)
	require.NoError(t, err)
	defer conn.Close()
	for _, p := range [][]byte{{0x30, 0x05, 0x02, 0x01, 0x03, 0x30, 0x00}, {0x30, 0x80, 0x02, 0x01, 0x01}, []byte("GET / HTTP/1.1")} {
		_, err = conn.Write(p)
		require.NoError(t, err)
	}
	ctx := ctxT(t)
	require.NoError(t, waitFor(ctx, "the packets counted", func() bool { return svc.traps.Stats().Received == 3 }))
	require.NoError(t, treadnettest.SendTrap(svc.TrapAddr, treadnettest.LinkDown(2, 3, "ge-0/0/3")))
	require.NoError(t, waitFor(ctx, "the trap's event on the bus", func() bool {
		_, _, err := svc.Bus().Last(ctx, "dispatch.treadnet.event")
		return err == nil
	}))
	m := scrape(t, svc)
	assert.Equal(t, 3.0, value(t, m, "dispatch_traps_total", "outcome", "malformed"))
	assert.Equal(t, 1.0, value(t, m, "dispatch_traps_total", "outcome", "queued"))
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// startFakes starts the six fakes for one test and stops them with it.
func startFakes(t *testing.T) *Fakes {
	t.Helper()
	fakes, err := StartFakes()
	require.NoError(t, err)
	t.Cleanup(fakes.Stop)
	return fakes
}

// scrape reads the service's /metrics with Prometheus' own text parser.
func scrape(t *testing.T, svc *Service) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	svc.serveMetrics(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	// no label holds a secret, a card number or a customer's contact
	for _, secret := range []string{reachSecret, geotabSecret, maddencoKey, dayforceRelay, "4111111111111111", "customer1@example.com", "+14165550001"} {
		assert.NotContains(t, rec.Body.String(), secret)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	require.NoError(t, err, "the exposition parses")
	return fams
}

// value sums the samples of family name whose labels include the pairs given (a
// histogram counts its observations).
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, pairs ...string) float64 {
	t.Helper()
	f, ok := fams[name]
	require.True(t, ok, "no metric %s", name)
	var sum float64
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(pairs); i += 2 {
			match = match && labels[pairs[i]] == pairs[i+1]
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

// A signed webhook (Reach's servicerequest.completed) is one trace: the receiver's
// SERVER span, the consumer's span of the event it handed off across the bus, and
// the consumer's vendor calls (the Dayforce punch, the payment) under it; no span
// holds a secret of the story.
func TestWebhookToVendorCallsIsOneTrace(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	runDemo(t, "", tp)
	spans := rec.Ended()
	var hook sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == "POST /hooks/reach" && s.SpanKind() == trace.SpanKindServer {
			inTrace := 0
			for _, o := range spans {
				if o.SpanContext().TraceID() == s.SpanContext().TraceID() && o.Name() == "process dispatch.reach.service_request" {
					inTrace++
				}
			}
			if inTrace > 0 {
				hook = s
			}
		}
	}
	require.NotNil(t, hook, "a reach webhook whose event the consumer processed in the same trace")
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	var trace1 []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.SpanContext().TraceID() == hook.SpanContext().TraceID() {
			byID[s.SpanContext().SpanID()] = s
			trace1 = append(trace1, s)
		}
	}
	// every vendor attempt in the trace descends from the webhook's span
	clients := 0
	for _, s := range trace1 {
		if s.SpanKind() != trace.SpanKindClient {
			continue
		}
		clients++
		p := s
		for p.Parent().IsValid() && byID[p.Parent().SpanID()] != nil {
			p = byID[p.Parent().SpanID()]
		}
		assert.Equal(t, hook.SpanContext().SpanID(), p.SpanContext().SpanID(), "%s descends from the webhook", s.Name())
	}
	assert.Positive(t, clients, "the consumer's vendor calls are in the webhook's trace")
	var consumer sdktrace.ReadOnlySpan
	for _, s := range trace1 {
		if s.SpanKind() == trace.SpanKindConsumer {
			consumer = s
		}
	}
	require.NotNil(t, consumer)
	var seen strings.Builder
	for _, s := range spans {
		seen.WriteString(s.Name())
		for _, kv := range s.Attributes() {
			seen.WriteString(" " + kv.Value.String())
		}
		seen.WriteString("\n")
	}
	for _, secret := range []string{reachSecret, geotabSecret, maddencoKey, dayforceRelay, "4111111111111111", "customer1@example.com", "+14165550001"} {
		assert.NotContains(t, seen.String(), secret)
	}
	var b strings.Builder
	PrintTrace(&b, spans)
	assert.Contains(t, b.String(), "process dispatch.sr.new", "the tree of the story's dispatch")
	assert.Contains(t, b.String(), "  reach.GetServiceRequest  system=reach  attempts=1")
}

// The operators' console is at /ops/: 401 without the operator's token (which the
// service wrote to a file, never to its log), the health of every system and the
// daily jobs with it; "run now" runs a job through the console's registry.
func TestOpsConsole(t *testing.T) {
	fakes := startFakes(t)
	var logs bytes.Buffer
	svc, err := New(context.Background(), Config{StateDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&logs, nil))}, fakes)
	require.NoError(t, err)
	t.Cleanup(svc.Close)
	b, err := os.ReadFile(svc.OpsTokenFile)
	require.NoError(t, err)
	token := strings.TrimSpace(string(b))
	info, err := os.Stat(svc.OpsTokenFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	get := func(path, tok string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, svc.URL+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	code, _ := get("/ops/", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, body := get("/ops/", token)
	require.Equal(t, http.StatusOK, code)
	for _, system := range []string{"reach", "geotab", "dayforce", "maddenco", "treadnet", "merchant"} {
		assert.Contains(t, body, `id="system-`+system+`"`)
	}
	req, _ := http.NewRequest(http.MethodPost, svc.URL+"/ops/jobs/maddenco-changes/run", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	code, body = get("/ops/jobs", token)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "daily at 03:00 UTC")
	for _, system := range []string{"reach", "geotab", "maddenco", "dayforce", "merchant"} {
		assert.Contains(t, body, `id="job-`+system+`-errors"`, "each module's error-processing job")
	}
	assert.Contains(t, body, "every 15m0s")
	assert.Contains(t, body, "(run by operator)")
	code, body = get("/ops/mappings", token)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `id="mapping-reach-event"`, "the mappings in force, editable")
	code, body = get("/ops/mapping/reach-event.yaml", token)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "<textarea")
	assert.NotContains(t, logs.String(), token, "the token is never logged")
	assert.Contains(t, logs.String(), "run job", "the action is audited")
}

// The dispatch screen's feed at /live/: Server-Sent Events from the bus's stream;
// a screen that reconnects with Last-Event-ID gets every event after it exactly
// once, those published while it was away included.
func TestLiveFeedOverTheBus(t *testing.T) {
	fakes := startFakes(t)
	tokens := map[string]string{"live-token-0123456789abcdef": "screen"}
	svc, err := New(context.Background(), Config{StateDir: t.TempDir(), OpsTokens: tokens}, fakes)
	require.NoError(t, err)
	t.Cleanup(svc.Close)
	ctx := ctxT(t)
	open := func(last string) (*http.Response, *bufio.Reader) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, svc.URL+"/live/events", nil)
		req.Header.Set("Authorization", "Bearer live-token-0123456789abcdef")
		if last != "" {
			req.Header.Set("Last-Event-ID", last)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		return resp, bufio.NewReader(resp.Body)
	}
	next := func(r *bufio.Reader) (id uint64, typ, data string) {
		for {
			line, err := r.ReadString('\n')
			require.NoError(t, err)
			line = strings.TrimSpace(line)
			switch {
			case line == "" && typ != "":
				return
			case strings.HasPrefix(line, "id: "):
				id, _ = strconv.ParseUint(line[4:], 10, 64)
			case strings.HasPrefix(line, "event: "):
				typ = line[7:]
			case strings.HasPrefix(line, "data: "):
				data = line[6:]
			}
		}
	}
	pos := func(v string) []byte { return []byte(`{"vehicle_id":"` + v + `","latitude":43.65,"longitude":-79.38}`) }
	resp, r := open("")
	require.NoError(t, svc.Bus().Publish(ctx, "dispatch.geotab.position", "live-1", pos("live-1")))
	var last uint64
	seen := map[string]int{}
	for seen["live-1"] == 0 {
		id, _, data := next(r)
		last = id
		if strings.Contains(data, `"live-`) {
			seen[data[strings.Index(data, "live-"):strings.Index(data, "live-")+6]]++
		}
	}
	_ = resp.Body.Close()
	for _, v := range []string{"live-2", "live-3"} { // while the screen is away
		require.NoError(t, svc.Bus().Publish(ctx, "dispatch.geotab.position", v, pos(v)))
	}
	resp, r = open(strconv.FormatUint(last, 10))
	defer resp.Body.Close()
	require.NoError(t, svc.Bus().Publish(ctx, "dispatch.geotab.position", "live-4", pos("live-4")))
	prev := last
	for seen["live-4"] == 0 {
		id, _, data := next(r)
		assert.Equal(t, prev+1, id, "no event missed, none twice")
		prev = id
		if i := strings.Index(data, `"live-`); i >= 0 {
			seen[data[i+1:i+7]]++
		}
	}
	assert.Equal(t, map[string]int{"live-1": 1, "live-2": 1, "live-3": 1, "live-4": 1}, seen)
}

package otel

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/httpconv"
	"go.opentelemetry.io/otel/trace"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/resilience"
)

// ScopeName is the instrumentation scope of the spans and metrics.
const ScopeName = "github.com/dispatchcenter/connectors/otel"

// Attribute keys of the SDK's own (the operation span and the counters).
const (
	SystemKey         = attribute.Key("connectors.system")
	OperationKey      = attribute.Key("connectors.operation")
	AttemptsKey       = attribute.Key("connectors.attempts")
	BreakerStateKey   = attribute.Key("connectors.breaker.state")
	IdempotencyKeyKey = attribute.Key("connectors.idempotency_key.present")
)

// Telemetry is a [resilience.Telemetry] on OpenTelemetry. Make one with [New] and
// share it between connectors.
type Telemetry struct {
	tracer      trace.Tracer
	propagator  propagation.TextMapPropagator
	duration    httpconv.ClientRequestDuration
	retries     metric.Int64Counter
	transitions metric.Int64Counter
	waits       metric.Int64Counter
	rejections  metric.Int64Counter
	deliveries  metric.Int64Counter
	mapErrors   metric.Int64Counter
}

var _ resilience.Telemetry = (*Telemetry)(nil)

// New returns telemetry that traces through tp and measures through mp. The trace
// context goes out as W3C traceparent (and tracestate).
func New(tp trace.TracerProvider, mp metric.MeterProvider) (*Telemetry, error) {
	m := mp.Meter(ScopeName)
	t := &Telemetry{tracer: tp.Tracer(ScopeName), propagator: propagation.TraceContext{}}
	var errs []error
	var err error
	t.duration, err = httpconv.NewClientRequestDuration(m)
	errs = append(errs, err)
	t.retries, err = m.Int64Counter("connectors.client.retries", metric.WithDescription("Attempts retried after a failure."), metric.WithUnit("{retry}"))
	errs = append(errs, err)
	t.transitions, err = m.Int64Counter("connectors.client.breaker.transitions", metric.WithDescription("Circuit breaker state changes."), metric.WithUnit("{transition}"))
	errs = append(errs, err)
	t.waits, err = m.Int64Counter("connectors.client.limiter.waits", metric.WithDescription("Attempts the rate limiter delayed or refused."), metric.WithUnit("{wait}"))
	errs = append(errs, err)
	t.rejections, err = m.Int64Counter("connectors.client.bulkhead.rejections", metric.WithDescription("Calls the bulkhead refused."), metric.WithUnit("{call}"))
	errs = append(errs, err)
	t.mapErrors, err = m.Int64Counter("connectors.mapping.errors", metric.WithDescription("Field problems of records a mapping refused, by mapping, class and code."), metric.WithUnit("{error}"))
	errs = append(errs, err)
	t.deliveries, err = m.Int64Counter("connectors.webhook.deliveries", metric.WithDescription("Inbound webhook deliveries, by outcome."), metric.WithUnit("{delivery}"))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return t, nil
}

// Operation starts the span of one operation (see [resilience.Telemetry]).
func (t *Telemetry) Operation(ctx context.Context, system, operation string) (context.Context, func(resilience.OperationEnd)) {
	ctx, span := t.tracer.Start(ctx, system+"."+operation, trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(SystemKey.String(system), OperationKey.String(operation)))
	return ctx, func(end resilience.OperationEnd) {
		span.SetAttributes(AttemptsKey.Int(end.Attempts), BreakerStateKey.String(end.Breaker.String()),
			IdempotencyKeyKey.Bool(end.IdempotencyKey))
		if end.StatusCode > 0 {
			span.SetAttributes(semconv.HTTPResponseStatusCode(end.StatusCode))
		}
		if end.Err != nil && !cancelled(ctx, end.Err) {
			span.SetStatus(codes.Error, errorType(end.Err, end.StatusCode))
			span.SetAttributes(semconv.ErrorTypeKey.String(errorType(end.Err, end.StatusCode)))
		}
		span.End()
	}
}

// Transport wraps each attempt in a CLIENT span (see [resilience.Telemetry]).
func (t *Telemetry) Transport(next http.RoundTripper) http.RoundTripper {
	return &transport{t: t, next: next}
}

// Hooks count retries, breaker transitions, limiter waits and bulkhead rejections.
func (t *Telemetry) Hooks() resilience.Hooks {
	bg := context.Background()
	return resilience.Hooks{
		OnRetry: func(r resilience.RetryInfo) {
			t.retries.Add(bg, 1, metric.WithAttributes(semconv.ServerAddress(r.Host), semconv.URLTemplate(template(r.Route))))
		},
		OnBreakerChange: func(c resilience.BreakerChange) {
			t.transitions.Add(bg, 1, metric.WithAttributes(semconv.ServerAddress(c.Host),
				attribute.String("connectors.breaker.from", c.From.String()), BreakerStateKey.String(c.To.String())))
		},
		OnLimiterWait: func(w resilience.LimiterWait) {
			t.waits.Add(bg, 1, metric.WithAttributes(semconv.ServerAddress(w.Host), attribute.Bool("connectors.limiter.refused", w.Err != nil)))
		},
		OnCall: func(c resilience.CallInfo) {
			if errors.Is(c.Err, connectors.ErrBulkheadFull) {
				t.rejections.Add(bg, 1, metric.WithAttributes(semconv.ServerAddress(c.Host)))
			}
		},
	}
}

// Attribute keys of connectors.mapping.errors.
const (
	MappingKey      = attribute.Key("connectors.mapping")
	MappingClassKey = attribute.Key("connectors.mapping.class")
	MappingCodeKey  = attribute.Key("connectors.mapping.code")
)

// MappingFailed counts the problems of a record that a mapping refused
// (connectors.mapping.errors, by mapping, class and code: never the value) and
// marks the current span, when err is a *mapping.RecordError; other errors count
// nothing.
func (t *Telemetry) MappingFailed(ctx context.Context, err error) {
	var re *mapping.RecordError
	if !errors.As(err, &re) {
		return
	}
	for _, fe := range re.Errors {
		t.mapErrors.Add(ctx, 1, metric.WithAttributes(MappingKey.String(re.Mapping), MappingClassKey.String(fe.Class.String()),
			MappingCodeKey.String(fe.Code)))
	}
	trace.SpanFromContext(ctx).AddEvent("mapping refused the record", trace.WithAttributes(MappingKey.String(re.Mapping),
		attribute.Int("connectors.mapping.problems", len(re.Errors))))
}

// OutcomeKey is the attribute of connectors.webhook.deliveries: accepted, duplicate,
// refused (verification failed), malformed, unavailable (the hand-off failed) or
// other.
const OutcomeKey = attribute.Key("connectors.webhook.outcome")

// Inbound wraps a webhook receiver (or any handler) mounted at route ("POST
// /hooks/reach"): the trace context the sender sent (W3C traceparent) becomes the
// parent of a SERVER span whose context the handler's request carries, so that
// what the receiver hands off (webhook.Sink.Put gets that context) continues the
// sender's trace; each delivery is counted by its outcome, read from the status
// the receiver answered (see webhook.Receiver.ServeHTTP).
func (t *Telemetry) Inbound(route string, next http.Handler) http.Handler {
	tmpl := template(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := t.propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		name := r.Method
		if tmpl != "" {
			name += " " + tmpl
		}
		ctx, span := t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
			semconv.HTTPRequestMethodKey.String(methodOf(r.Method)), semconv.HTTPRoute(tmpl), semconv.URLPath(tmpl)))
		defer span.End()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(ctx))
		span.SetAttributes(semconv.HTTPResponseStatusCode(sw.status))
		if sw.status >= 500 {
			span.SetStatus(codes.Error, strconv.Itoa(sw.status))
		}
		t.deliveries.Add(ctx, 1, metric.WithAttributes(semconv.HTTPRoute(tmpl), OutcomeKey.String(outcome(sw.status))))
	})
}

func outcome(status int) string {
	switch {
	case status == http.StatusAccepted:
		return "accepted"
	case status == http.StatusOK:
		return "duplicate"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "refused"
	case status == http.StatusServiceUnavailable:
		return "unavailable"
	case status >= 400 && status < 500:
		return "malformed"
	}
	return "other"
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type transport struct {
	t    *Telemetry
	next http.RoundTripper
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t := tr.t
	route, attempt, _ := resilience.CallAttempt(req.Context())
	tmpl := template(route)
	name := req.Method
	if tmpl != "" {
		name += " " + tmpl
	}
	host, port := hostPort(req)
	attrs := []attribute.KeyValue{
		semconv.HTTPRequestMethodKey.String(req.Method), semconv.ServerAddress(host), semconv.ServerPort(port),
		semconv.URLFull(fullURL(req.URL)),
	}
	if tmpl != "" {
		attrs = append(attrs, semconv.URLTemplate(tmpl))
	}
	if attempt > 1 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(attempt-1))
	}
	ctx, span := t.tracer.Start(req.Context(), name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	defer span.End()
	out := req.Clone(ctx) // a RoundTripper must not change the request it is given
	t.propagator.Inject(ctx, propagation.HeaderCarrier(out.Header))
	start := time.Now()
	resp, err := tr.next.RoundTrip(out)
	status := 0
	if resp != nil {
		status = resp.StatusCode
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	}
	var errAttr []attribute.KeyValue
	if err != nil || status >= 400 {
		et := errorType(err, status)
		errAttr = append(errAttr, semconv.ErrorTypeKey.String(et))
		if !cancelled(req.Context(), err) {
			span.SetStatus(codes.Error, et)
			span.SetAttributes(errAttr...)
		}
	}
	mattrs := []attribute.KeyValue{semconv.URLTemplate(tmpl)}
	if status > 0 {
		mattrs = append(mattrs, semconv.HTTPResponseStatusCode(status))
	}
	t.duration.Record(ctx, time.Since(start).Seconds(), httpconv.RequestMethodAttr(methodOf(req.Method)), host, port,
		append(mattrs, errAttr...)...)
	return resp, err
}

// fullURL is url.full with the credentials left out and every query value masked
// (as the connectors' logs write URLs): only the query's keys remain.
func fullURL(u *url.URL) string {
	c := *u
	c.User, c.Fragment, c.RawFragment = nil, "", ""
	if c.RawQuery != "" {
		q, err := url.ParseQuery(c.RawQuery)
		if err != nil {
			c.RawQuery = "REDACTED"
		} else {
			for k := range q {
				q[k] = []string{"REDACTED"}
			}
			c.RawQuery = q.Encode()
		}
	}
	return c.String()
}

// template is the URL template of a route ("GET /api/equipment/{id}" gives
// "/api/equipment/{id}"); "" when the route is not a path template.
func template(route string) string {
	if m, path, ok := strings.Cut(route, " "); ok && methodOf(m) == m {
		return path // relative to the vendor's base path for some ("Employees/{xRefCode}")
	}
	if strings.HasPrefix(route, "/") {
		return route
	}
	return "" // not a path: a JSON-RPC method ("Get DeviceStatusInfo")
}

func hostPort(req *http.Request) (string, int) {
	host, p, err := net.SplitHostPort(req.URL.Host)
	if err != nil {
		host = req.URL.Host
		p = "443"
		if req.URL.Scheme == "http" {
			p = "80"
		}
	}
	port, _ := strconv.Atoi(p)
	return host, port
}

func methodOf(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions:
		return m
	}
	return "_OTHER"
}

// errorType is error.type: the status code for an answer of 400 or more, else a
// short class of the error (never its text, which may carry data).
func errorType(err error, status int) string {
	switch {
	case status >= 400:
		return strconv.Itoa(status)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, connectors.ErrTimeout):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, connectors.ErrCircuitOpen):
		return "circuit_open"
	case errors.Is(err, connectors.ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, connectors.ErrBulkheadFull):
		return "bulkhead_full"
	}
	return semconv.ErrorTypeOther.Value.AsString()
}

// cancelled reports an error that is the caller's own cancellation, which is not a
// failure of the call.
func cancelled(ctx context.Context, err error) bool {
	return errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled)
}

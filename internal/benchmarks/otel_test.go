package benchmarks

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/dispatchcenter/connectors/otel"
	"github.com/dispatchcenter/connectors/resilience"
)

// BenchmarkTelemetryGET: a loopback GET of 1 KiB through the Standard policy
// without telemetry, with the connectors' OpenTelemetry bridge (an operation-less
// CLIENT span per attempt, the duration histogram, trace context injected), and,
// as the peer, with OpenTelemetry's own otelhttp transport doing the same per
// attempt; always sampled, spans to a counting exporter, metrics to a manual
// reader, all in one run.
func BenchmarkTelemetryGET(b *testing.B) {
	body := strings.Repeat("x", 1024)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, body) }))
	b.Cleanup(srv.Close)
	providers := func(b *testing.B) (*sdktrace.TracerProvider, *sdkmetric.MeterProvider) {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(&countingExporter{}), sdktrace.WithSampler(sdktrace.AlwaysSample()))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
		return tp, mp
	}
	run := func(b *testing.B, wrap func(http.RoundTripper) http.RoundTripper, opts ...resilience.Option) {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		b.Cleanup(tr.CloseIdleConnections)
		c, err := resilience.New(resilience.Standard(), append(opts, resilience.WithTransport(wrap(tr)))...)
		if err != nil {
			b.Fatal(err)
		}
		ctx := resilience.Route(context.Background(), "GET /devices")
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/devices", nil)
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	}
	same := func(rt http.RoundTripper) http.RoundTripper { return rt }
	b.Run("without", func(b *testing.B) { run(b, same) })
	b.Run("connectors-otel", func(b *testing.B) {
		tel, err := otel.New(providers(b))
		if err != nil {
			b.Fatal(err)
		}
		run(b, same, resilience.WithTelemetry(tel))
	})
	b.Run("otelhttp", func(b *testing.B) {
		tp, mp := providers(b)
		run(b, func(rt http.RoundTripper) http.RoundTripper {
			return otelhttp.NewTransport(rt, otelhttp.WithTracerProvider(tp), otelhttp.WithMeterProvider(mp))
		})
	})
}

// countingExporter counts the spans it is given (keeping them would measure the
// exporter's growth, not the instrumentation).
type countingExporter struct{ n int }

func (c *countingExporter) ExportSpans(_ context.Context, s []sdktrace.ReadOnlySpan) error {
	c.n += len(s)
	return nil
}

func (c *countingExporter) Shutdown(context.Context) error { return nil }

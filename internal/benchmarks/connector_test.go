package benchmarks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/resilience"
)

// equipment is a Maddenco equipment record of about 1 KiB, as the connector and
// bare net/http both receive and decode it.
var equipment = func() []byte {
	specs := map[string]string{}
	for _, k := range []string{"voltage", "phase", "max_psi", "tank_gal", "duty_cycle", "weight_lb", "noise_db", "hose_ft"} {
		specs[k] = strings.Repeat("x", 40)
	}
	b, _ := json.Marshal(maddenco.Equipment{ID: "EQ-000042", Make: "Hennessy", Model: "Coats 70X-AS", SerialNumber: "SN-8841-2231-0042",
		Status: maddenco.EquipmentStatusInService, Type: "tire-changer", Year: 2022, MeterHours: 1234.5,
		UpdatedAt: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), Specifications: specs})
	return b
}()

// BenchmarkConnectorGET: one Maddenco Equipment read over loopback through the whole
// connector (facade, audit, the Standard policy's retry, breaker and call timeout,
// a limiter that never binds, API key and User-Agent middleware, error mapping,
// decoding) against bare net/http sending the same headers and decoding into the
// same type. The cache is off, so every call reaches the server. Goal: at most 1.10×
// bare net/http.
func BenchmarkConnectorGET(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(equipment)
	}))
	b.Cleanup(srv.Close)
	ctx := context.Background()
	b.Run("bare-net-http", func(b *testing.B) {
		hc := &http.Client{Transport: pooled(b)}
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/equipment/EQ-000042", nil)
			req.Header.Set("X-API-Key", "k")
			req.Header.Set("User-Agent", "bench")
			req.Header.Set("Accept", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var e maddenco.Equipment
			if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.ID == "" {
				b.Fatal(err)
			}
			_ = resp.Body.Close()
		}
	})
	b.Run("connectors-maddenco", func(b *testing.B) {
		p := maddenco.DefaultPolicy(-1)
		p.Cache = resilience.CachePolicy{}
		c, err := maddenco.New(maddenco.Config{BaseURL: srv.URL, APIKey: "k"},
			maddenco.WithPolicy(p), maddenco.WithHTTPClient(&http.Client{Transport: pooled(b)}),
			maddenco.WithLimiter(resilience.NewTokenBucket(resilience.LimitPolicy{Requests: 1 << 30, Per: time.Second, Burst: 1 << 20}, nil)))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			s, err := c.Equipment(ctx, "EQ-000042")
			if err != nil || s.Value.ID == "" {
				b.Fatal(err)
			}
		}
	})
}

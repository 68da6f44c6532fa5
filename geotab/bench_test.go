package geotab_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/geotab"
)

// feedPage is a GetFeed answer of n LogRecords, as MyGeotab sends it.
func feedPage(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"result":{"data":[`)
	t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"b%X","device":{"id":"b%d"},"dateTime":"%s","latitude":%.7f,"longitude":%.7f,"speed":%d,"version":"%016x"}`,
			i+1, i%500+1, t0.Add(time.Duration(i)*time.Second).Format("2006-01-02T15:04:05.000Z"), 43.65+float64(i%1000)/1e4, -79.38-float64(i%700)/1e4, i%90, i+1)
	}
	fmt.Fprintf(&b, `],"toVersion":"%016x"},"jsonrpc":"2.0"}`, n)
	return b.Bytes()
}

// plainLogRecord is what a hand-written decoder would use.
type plainLogRecord struct {
	ID     string `json:"id"`
	Device struct {
		ID string `json:"id"`
	} `json:"device"`
	DateTime  time.Time `json:"dateTime"`
	Latitude  float64   `json:"latitude"`
	Longitude float64   `json:"longitude"`
	Speed     float64   `json:"speed"`
	Version   string    `json:"version"`
}

// BenchmarkFeedPage50k decodes one 50 000-record LogRecord page over loopback: through
// the client's feed iterator (session, resilience, response check, typed decoding)
// and with plain net/http + encoding/json into equivalent structs. Goal: the client
// at most 1.5× the plain time.
func BenchmarkFeedPage50k(b *testing.B) {
	const n = 50000
	page := feedPage(n)
	login := []byte(`{"result":{"credentials":{"database":"d","userName":"u","sessionId":"S"},"path":"ThisServer"},"jsonrpc":"2.0"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if bytes.Contains(body, []byte(`"Authenticate"`)) {
			_, _ = w.Write(login)
			return
		}
		_, _ = w.Write(page)
	}))
	defer srv.Close()
	b.SetBytes(int64(len(page)))

	b.Run("client-feed", func(b *testing.B) {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		defer tr.CloseIdleConnections()
		c, err := geotab.New(geotab.Config{Database: "d", UserName: "u", Password: "p"},
			geotab.WithBaseURL(srv.URL), geotab.WithHTTPClient(&http.Client{Transport: tr}))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			got := 0
			for rec, err := range c.LogRecordFeed(context.Background(), geotab.FeedOptions{Checkpoint: &connectors.MemoryCheckpoint{}, FromDate: time.Unix(0, 0)}) {
				if err != nil {
					b.Fatal(err)
				}
				_ = rec
				if got++; got == n {
					break
				}
			}
		}
	})
	b.Run("plain-encoding-json", func(b *testing.B) {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr}
		b.ReportAllocs()
		for b.Loop() {
			resp, err := hc.Post(srv.URL+"/apiv1", "application/json", strings.NewReader(`{"method":"GetFeed","params":{}}`))
			if err != nil {
				b.Fatal(err)
			}
			var env struct {
				Result struct {
					Data      []plainLogRecord `json:"data"`
					ToVersion string           `json:"toVersion"`
				} `json:"result"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
				b.Fatal(err)
			}
			_ = resp.Body.Close()
			if len(env.Result.Data) != n {
				b.Fatalf("%d records", len(env.Result.Data))
			}
		}
	})
}

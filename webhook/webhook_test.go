package webhook

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/clock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The published Standard Webhooks test vector.
const (
	specSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTS     = 1614265330
	specBody   = `{"test": 2432232314}`
	specSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func req(h map[string]string, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hooks", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return r
}

func TestStandardWebhooksSpecVector(t *testing.T) {
	fc := clock.NewFake(time.Unix(specTS, 0))
	v, err := NewStandard(StandardOptions{Secrets: []string{specSecret}, Clock: fc})
	require.NoError(t, err)
	h := map[string]string{"webhook-id": specID, "webhook-timestamp": "1614265330", "webhook-signature": specSig}
	got, err := v.Verify(req(h, specBody), []byte(specBody))
	require.NoError(t, err)
	assert.Equal(t, specID, got.ID)

	s, err := NewStandardSigner(specSecret, nil)
	require.NoError(t, err)
	hdr := http.Header{}
	s.Sign(hdr, specID, time.Unix(specTS, 0), []byte(specBody))
	assert.Equal(t, specSig, hdr.Get("webhook-signature"), "our signer reproduces the vector")
}

func TestStandardWebhooksRefusals(t *testing.T) {
	now := time.Unix(specTS, 0)
	fc := clock.NewFake(now)
	newSecret := EncodeSecret(bytes.Repeat([]byte{7}, 32))
	v, err := NewStandard(StandardOptions{Secrets: []string{newSecret, specSecret}, Clock: fc})
	require.NoError(t, err)
	ok := map[string]string{"webhook-id": specID, "webhook-timestamp": "1614265330", "webhook-signature": specSig}
	with := func(k, val string) map[string]string {
		m := map[string]string{}
		for a, b := range ok {
			m[a] = b
		}
		m[k] = val
		return m
	}
	cases := []struct {
		name string
		h    map[string]string
		body string
		want error
	}{
		{"old secret still accepted during rotation", ok, specBody, nil},
		{"several signatures, one valid", with("webhook-signature", "v1,AAAA "+specSig), specBody, nil},
		{"body re-serialised", ok, `{"test":2432232314}`, ErrSignature},
		{"other id", with("webhook-id", "msg_other"), specBody, ErrSignature},
		{"no signature", with("webhook-signature", ""), specBody, ErrMissing},
		{"bad timestamp", with("webhook-timestamp", "soon"), specBody, ErrMalformed},
		{"too old", with("webhook-timestamp", "1614264000"), specBody, ErrTooOld},
		{"too new", with("webhook-timestamp", "1614267000"), specBody, ErrTooNew},
		{"unknown version", with("webhook-signature", "v9,"+specSig[3:]), specBody, ErrSignature},
	}
	for _, tc := range cases {
		_, err := v.Verify(req(tc.h, tc.body), []byte(tc.body))
		if tc.want == nil {
			assert.NoError(t, err, tc.name)
			continue
		}
		assert.ErrorIs(t, err, tc.want, tc.name)
		assert.NotContains(t, err.Error(), "g0hM9", "no signature in errors")
	}
}

func TestStandardWebhooksEd25519(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	s, err := NewStandardSigner("", priv)
	require.NoError(t, err)
	v, err := NewStandard(StandardOptions{PublicKeys: []string{EncodePublicKey(pub)}, Clock: clock.NewFake(time.Unix(1000, 0))})
	require.NoError(t, err)
	h := http.Header{}
	body := []byte(`{"event":"equipment.status"}`)
	s.Sign(h, "evt_1", time.Unix(1000, 0), body)
	assert.True(t, strings.HasPrefix(h.Get("webhook-signature"), "v1a,"))
	r := req(nil, string(body))
	for k := range h {
		r.Header.Set(k, h.Get(k))
	}
	_, err = v.Verify(r, body)
	require.NoError(t, err)
	_, err = v.Verify(r, []byte(`{"event":"forged"}`))
	assert.ErrorIs(t, err, ErrSignature)
}

func TestConstructorsFailClosed(t *testing.T) {
	_, err := NewStandard(StandardOptions{})
	assert.ErrorIs(t, err, ErrConfig)
	_, err = NewStandard(StandardOptions{Secrets: []string{"whsec_c2hvcnQ="}})
	assert.ErrorIs(t, err, ErrConfig, "short secret")
	_, err = NewStandard(StandardOptions{Secrets: []string{"whsec_!!!"}})
	assert.ErrorIs(t, err, ErrConfig)
	_, err = NewHMAC(HMACOptions{Header: "X-Sig"})
	assert.ErrorIs(t, err, ErrConfig)
	_, err = NewHMAC(HMACOptions{Header: "X-Sig", Secrets: [][]byte{[]byte("")}})
	assert.ErrorIs(t, err, ErrConfig)
	_, err = NewAPIKey("X-API-Key")
	assert.ErrorIs(t, err, ErrConfig)
	_, err = NewIPAllowlist(0)
	assert.ErrorIs(t, err, ErrConfig)
	_, err = NewReceiver(nil, nil, ReceiverOptions{})
	assert.ErrorIs(t, err, ErrConfig)
}

func TestHMACScheme(t *testing.T) {
	secret := []byte("maddenco-shared-secret-0123")
	fc := clock.NewFake(time.Unix(5000, 0))
	cases := []struct {
		name string
		o    HMACOptions
	}{
		{"hex sha256 with prefix", HMACOptions{Header: "X-Signature", Prefix: "sha256=", Secrets: [][]byte{secret}}},
		{"base64 with timestamp", HMACOptions{Header: "X-Sig", Encoding: "base64", TimestampHeader: "X-Timestamp", Secrets: [][]byte{secret}, Clock: fc}},
		{"legacy sha1", HMACOptions{Header: "X-Hub-Signature", Prefix: "sha1=", Hash: "sha1", Secrets: [][]byte{secret}}},
	}
	body := []byte(`{"equipment":"EQ-1","status":"down"}`)
	for _, tc := range cases {
		s, err := NewHMACSigner(tc.o)
		require.NoError(t, err, tc.name)
		v, err := NewHMAC(tc.o)
		require.NoError(t, err)
		h := http.Header{}
		s.Sign(h, fc.Now(), body)
		r := req(nil, string(body))
		for k := range h {
			r.Header.Set(k, h.Get(k))
		}
		got, err := v.Verify(r, body)
		require.NoError(t, err, tc.name)
		assert.Empty(t, got.ID, "an unsigned id is never vouched for")
		_, err = v.Verify(r, append(body, ' '))
		assert.ErrorIs(t, err, ErrSignature, tc.name)
	}
	v, _ := NewHMAC(cases[1].o)
	r := req(map[string]string{"X-Sig": "AAAA", "X-Timestamp": "1"}, "{}")
	_, err := v.Verify(r, []byte("{}"))
	assert.ErrorIs(t, err, ErrTooOld, "the timestamp is checked before the signature")
}

func TestAPIKeyAndIPAllowlist(t *testing.T) {
	k, err := NewAPIKey("X-API-Key", "key-0123456789abcdef", "key-new-0123456789ab")
	require.NoError(t, err)
	for key, want := range map[string]error{"key-new-0123456789ab": nil, "key-0123456789abcdeX": ErrUnauthorized, "": ErrMissing} {
		_, err := k.Verify(req(map[string]string{"X-API-Key": key}, "{}"), nil)
		if want == nil {
			assert.NoError(t, err)
		} else {
			assert.ErrorIs(t, err, want)
		}
	}
	direct, err := NewIPAllowlist(0, "10.1.0.0/16", "192.0.2.7")
	require.NoError(t, err)
	proxied, err := NewIPAllowlist(1, "10.1.0.0/16")
	require.NoError(t, err)
	cases := []struct {
		name   string
		v      *IPAllowlist
		remote string
		xff    string
		want   error
	}{
		{"peer inside", direct, "10.1.2.3:5000", "", nil},
		{"single address", direct, "192.0.2.7:1", "", nil},
		{"peer outside; XFF ignored without trusted hops", direct, "203.0.113.9:1", "10.1.2.3", ErrForbiddenAddress},
		{"one trusted hop: rightmost entry", proxied, "127.0.0.1:1", "203.0.113.9, 10.1.9.9", nil},
		{"forged leftmost entry does not help", proxied, "127.0.0.1:1", "10.1.2.3, 203.0.113.9", ErrForbiddenAddress},
		{"missing header with trusted hops", proxied, "10.1.2.3:1", "", ErrForbiddenAddress},
	}
	for _, tc := range cases {
		r := req(nil, "{}")
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		_, err := tc.v.Verify(r, nil)
		if tc.want == nil {
			assert.NoError(t, err, tc.name)
		} else {
			assert.ErrorIs(t, err, tc.want, tc.name)
			assert.Equal(t, http.StatusForbidden, HTTPStatus(err))
		}
	}
	both := All(direct, k)
	r := req(map[string]string{"X-API-Key": "key-0123456789abcdef"}, "{}")
	r.RemoteAddr = "10.1.0.1:9"
	_, err = both.Verify(r, nil)
	assert.NoError(t, err)
	r.RemoteAddr = "198.51.100.1:9"
	_, err = both.Verify(r, nil)
	assert.ErrorIs(t, err, ErrForbiddenAddress)
}

func TestReceiver(t *testing.T) {
	fc := clock.NewFake(time.Unix(specTS, 0))
	v, err := NewStandard(StandardOptions{Secrets: []string{specSecret}, Clock: fc})
	require.NoError(t, err)
	signer, _ := NewStandardSigner(specSecret, nil)
	var refuse atomic.Bool
	var got []Event
	sink := SinkFunc(func(ctx context.Context, ev Event) error {
		if refuse.Load() {
			return ErrSinkFull
		}
		assert.NoError(t, ctx.Err(), "the hand-off context outlives the request")
		got = append(got, ev)
		return nil
	})
	rc, err := NewReceiver(v, sink, ReceiverOptions{MaxBody: 64})
	require.NoError(t, err)
	send := func(method, ctype, id, body string, sign bool) int {
		r := httptest.NewRequest(method, "/hooks/maddenco", strings.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		if sign {
			signer.Sign(r.Header, id, fc.Now(), []byte(body))
		}
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, r)
		return w.Code
	}
	cases := []struct {
		name       string
		method     string
		ctype      string
		id, body   string
		sign       bool
		refuseSink bool
		want       int
		delivered  int
	}{
		{"accepted", "POST", "application/json", "evt_1", `{"a":1}`, true, false, 202, 1},
		{"duplicate acknowledged, not processed", "POST", "application/json; charset=utf-8", "evt_1", `{"a":1}`, true, false, 200, 1},
		{"not POST", "GET", "application/json", "evt_2", `{}`, true, false, 405, 1},
		{"wrong content type", "POST", "text/plain", "evt_2", `{}`, true, false, 415, 1},
		{"too large", "POST", "application/json", "evt_2", strings.Repeat("x", 100), true, false, 413, 1},
		{"unsigned", "POST", "application/json", "evt_2", `{}`, false, false, 401, 1},
		{"sink full: 503, and the retry is processed", "POST", "application/json", "evt_3", `{"b":2}`, true, true, 503, 1},
		{"retry after the sink recovered", "POST", "application/json", "evt_3", `{"b":2}`, true, false, 202, 2},
	}
	for _, tc := range cases {
		refuse.Store(tc.refuseSink)
		assert.Equal(t, tc.want, send(tc.method, tc.ctype, tc.id, tc.body, tc.sign), tc.name)
		assert.Len(t, got, tc.delivered, tc.name)
	}
	assert.Equal(t, "evt_1", got[0].Key)
	assert.Equal(t, `{"a":1}`, string(got[0].Body), "the exact bytes received")
}

func TestDedupKeyIsABodyHashWhenTheIDIsNotSigned(t *testing.T) {
	secret := []byte("maddenco-shared-secret-0123")
	o := HMACOptions{Header: "X-Signature", Secrets: [][]byte{secret}, IDHeader: "X-Delivery"}
	v, _ := NewHMAC(o)
	s, _ := NewHMACSigner(o)
	ch := make(ChanSink, 4)
	rc, err := NewReceiver(v, ch, ReceiverOptions{})
	require.NoError(t, err)
	body := []byte(`{"equipment":"EQ-9"}`)
	for _, delivery := range []string{"d-1", "d-2-forged-fresh-id"} {
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Delivery", delivery)
		s.Sign(r.Header, time.Now(), body)
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, r)
	}
	assert.Len(t, ch, 1, "a replayed body with a fresh, unsigned id is still a duplicate")
	ev := <-ch
	assert.True(t, strings.HasPrefix(ev.Key, "sha256:"))
}

func TestMemoryStoreBoundedWithTTL(t *testing.T) {
	fc := clock.NewFake(time.Unix(0, 0))
	s := NewMemoryStore(2, fc)
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c"} {
		ok, err := s.Claim(ctx, k, time.Hour)
		require.NoError(t, err)
		assert.True(t, ok)
	}
	assert.Equal(t, 2, s.Len(), "bounded")
	ok, _ := s.Claim(ctx, "c", time.Hour)
	assert.False(t, ok)
	fc.Advance(2 * time.Hour)
	ok, _ = s.Claim(ctx, "c", time.Hour)
	assert.True(t, ok, "expired")
	require.NoError(t, s.Release(ctx, "c"))
	ok, _ = s.Claim(ctx, "c", time.Hour)
	assert.True(t, ok, "released")
}

func TestHTTPStatus(t *testing.T) {
	assert.Equal(t, 200, HTTPStatus(nil))
	assert.Equal(t, 400, HTTPStatus(verr("x", ErrMalformed)))
	assert.Equal(t, 401, HTTPStatus(verr("x", ErrSignature)))
	assert.Equal(t, 403, HTTPStatus(verr("x", ErrForbiddenAddress)))
	assert.Equal(t, 401, HTTPStatus(errors.New("other")))
	var ve *VerificationError
	assert.True(t, errors.As(verr("standard-webhooks", ErrTooOld), &ve))
	assert.Equal(t, "standard-webhooks", ve.Scheme)
}

func TestSameEventDeliveredAHundredTimesAtOnceIsProcessedOnce(t *testing.T) {
	secret := EncodeSecret(bytes.Repeat([]byte{3}, 32))
	v, err := NewStandard(StandardOptions{Secrets: []string{secret}})
	require.NoError(t, err)
	var processed atomic.Int64
	rc, err := NewReceiver(v, SinkFunc(func(context.Context, Event) error { processed.Add(1); return nil }), ReceiverOptions{})
	require.NoError(t, err)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	signer, _ := NewStandardSigner(secret, nil)
	body := []byte(`{"type":"payment.confirmed","id":"pay_1"}`)
	codes := make(chan int, 100)
	start := make(chan struct{})
	for i := 0; i < 100; i++ {
		go func() {
			r, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			signer.Sign(r.Header, "evt_same", time.Now(), body)
			<-start
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				codes <- 0
				return
			}
			_ = resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	close(start)
	counts := map[int]int{}
	for i := 0; i < 100; i++ {
		counts[<-codes]++
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	assert.Equal(t, int64(1), processed.Load())
	assert.Equal(t, map[int]int{202: 1, 200: 99}, counts)
}

// TestToleranceEdgesAreWholeSeconds: timestamps are whole seconds, so now is floored
// to the second: a timestamp exactly at the tolerance is accepted on the old side as
// on the new, whatever the fraction of now; a second more is refused.
func TestToleranceEdgesAreWholeSeconds(t *testing.T) {
	sign := func(ts int64) map[string]string {
		s, err := NewStandardSigner(specSecret, nil)
		require.NoError(t, err)
		hdr := http.Header{}
		s.Sign(hdr, specID, time.Unix(ts, 0), []byte(specBody))
		return map[string]string{"webhook-id": specID, "webhook-timestamp": hdr.Get("webhook-timestamp"), "webhook-signature": hdr.Get("webhook-signature")}
	}
	tol := int64(DefaultTolerance / time.Second)
	for _, tc := range []struct {
		name string
		now  time.Time
		ts   int64
		want error
	}{
		{"old edge, now at .9 s", time.Unix(specTS+tol, 900_000_000), specTS, nil},
		{"old edge, now at .0 s", time.Unix(specTS+tol, 0), specTS, nil},
		{"a second past the old edge", time.Unix(specTS+tol+1, 0), specTS, ErrTooOld},
		{"new edge, now at .9 s", time.Unix(specTS, 900_000_000), specTS + tol, nil},
		{"a second past the new edge", time.Unix(specTS, 900_000_000), specTS + tol + 1, ErrTooNew},
	} {
		v, err := NewStandard(StandardOptions{Secrets: []string{specSecret}, Clock: clock.NewFake(tc.now)})
		require.NoError(t, err)
		_, err = v.Verify(req(sign(tc.ts), specBody), []byte(specBody))
		if tc.want == nil {
			assert.NoError(t, err, tc.name)
		} else {
			assert.ErrorIs(t, err, tc.want, tc.name)
		}
	}
}

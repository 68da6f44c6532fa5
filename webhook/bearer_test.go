package webhook

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/clock"
)

var b64 = base64.RawURLEncoding.EncodeToString

// mint builds a JWT signed with key under alg.
func mint(t *testing.T, alg, kid string, key any, claims map[string]any) string {
	t.Helper()
	hb, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid, "typ": "JWT"})
	cb, _ := json.Marshal(claims)
	signed := b64(hb) + "." + b64(cb)
	sum := sha256.Sum256([]byte(signed))
	var sig []byte
	switch k := key.(type) {
	case []byte:
		m := hmac.New(sha256.New, k)
		m.Write([]byte(signed))
		sig = m.Sum(nil)
	case *rsa.PrivateKey:
		s, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
		require.NoError(t, err)
		sig = s
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
		require.NoError(t, err)
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, []byte(signed))
	case nil:
	}
	return signed + "." + b64(sig)
}

func TestBearerJWT(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	fc := clock.NewFake(now)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	hs := []byte("dayforce-webhook-secret-0123456789ab")

	// the JWKS serves the RSA and EC keys
	var fetches atomic.Int64
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{
			{"kty": "RSA", "kid": "rsa1", "n": b64(rsaKey.N.Bytes()), "e": b64(big.NewInt(int64(rsaKey.E)).Bytes())},
			{"kty": "EC", "kid": "ec1", "crv": "P-256", "x": b64(ecKey.X.FillBytes(make([]byte, 32))), "y": b64(ecKey.Y.FillBytes(make([]byte, 32)))},
			{"kty": "EC", "kid": "bad", "crv": "P-256", "x": b64([]byte{1}), "y": b64([]byte{2})},
		}})
	}))
	defer jwks.Close()
	v, err := NewBearer(BearerOptions{Issuer: "https://dfid.example", Audience: "dispatch-webhooks", JWKSURL: jwks.URL,
		Keys: map[string]crypto.PublicKey{"hs": hs, "ed": edPub}, Clock: fc, DeliveryID: true})
	require.NoError(t, err)
	reused, err := NewBearer(BearerOptions{Issuer: "https://dfid.example", Audience: "dispatch-webhooks", JWKSURL: jwks.URL,
		Keys: map[string]crypto.PublicKey{"hs": hs, "ed": edPub}, Clock: fc})
	require.NoError(t, err)
	good := map[string]any{"iss": "https://dfid.example", "aud": []string{"other", "dispatch-webhooks"}, "exp": now.Add(time.Hour).Unix(), "jti": "evt-9", "sub": "relay-7"}
	with := func(k string, val any) map[string]any {
		m := map[string]any{}
		for a, b := range good {
			m[a] = b
		}
		if val == nil {
			delete(m, k)
		} else {
			m[k] = val
		}
		return m
	}
	cases := []struct {
		name string
		tok  string
		want error
	}{
		{"RS256 from the JWKS", mint(t, "RS256", "rsa1", rsaKey, good), nil},
		{"ES256 from the JWKS", mint(t, "ES256", "ec1", ecKey, good), nil},
		{"HS256 static", mint(t, "HS256", "hs", hs, good), nil},
		{"EdDSA static", mint(t, "EdDSA", "ed", edPriv, good), nil},
		{"alg none", mint(t, "none", "hs", nil, good), ErrSignature},
		{"alg confusion: HS256 with the RSA key id", mint(t, "HS256", "rsa1", []byte("anything-long-enough-for-hmac-32b!"), good), ErrSignature},
		{"tampered claims", mint(t, "HS256", "hs", []byte("another-secret-of-sufficient-length"), good), ErrSignature},
		{"wrong issuer", mint(t, "HS256", "hs", hs, with("iss", "https://evil")), ErrUnauthorized},
		{"wrong audience", mint(t, "HS256", "hs", hs, with("aud", "someone-else")), ErrUnauthorized},
		{"expired", mint(t, "HS256", "hs", hs, with("exp", now.Add(-time.Hour).Unix())), ErrTooOld},
		{"not yet valid", mint(t, "HS256", "hs", hs, with("nbf", now.Add(time.Hour).Unix())), ErrTooNew},
		{"no expiry", mint(t, "HS256", "hs", hs, with("exp", nil)), ErrMalformed},
		{"unknown kid", mint(t, "HS256", "nope", hs, good), ErrUnauthorized},
		{"point not on the curve", mint(t, "ES256", "bad", ecKey, good), ErrUnauthorized},
		{"garbage", "a.b", ErrMalformed},
		{"missing", "", ErrMissing},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("POST", "/", nil)
		if tc.tok != "" {
			r.Header.Set("Authorization", "Bearer "+tc.tok)
		}
		got, err := v.Verify(r, nil)
		if tc.want == nil {
			require.NoError(t, err, tc.name)
			assert.Equal(t, "evt-9", got.ID, tc.name)
			assert.Equal(t, "relay-7", got.Subject, tc.name)
			got, err = reused.Verify(r, nil)
			require.NoError(t, err, tc.name)
			assert.Empty(t, got.ID, "a reused access token's jti is not a delivery id")
			assert.Equal(t, "relay-7", got.Subject, "the subject is named either way")
			continue
		}
		assert.ErrorIs(t, err, tc.want, tc.name)
	}
	assert.Equal(t, int64(2), fetches.Load(), "one fetch for each of the two verifiers: unknown kids do not hammer the JWKS (at most one fetch a minute)")

	_, err = NewBearer(BearerOptions{Issuer: "i", Audience: "a", Keys: map[string]crypto.PublicKey{"k": []byte("short")}})
	assert.ErrorIs(t, err, ErrConfig)
	_, err = NewBearer(BearerOptions{Issuer: "i", Audience: "a"})
	assert.ErrorIs(t, err, ErrConfig)
}

func TestJWTSignerAndJWKS(t *testing.T) {
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	set, err := JWKS(map[string]crypto.PublicKey{"ed": edPub, "ec": &ecKey.PublicKey})
	require.NoError(t, err)
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(set) }))
	defer jwks.Close()
	now := time.Now()
	v, err := NewBearer(BearerOptions{Issuer: "https://idp", Audience: "hooks", JWKSURL: jwks.URL, DeliveryID: true})
	require.NoError(t, err)
	for _, tc := range []struct {
		kid string
		key any
	}{{"ed", edPriv}, {"ec", ecKey}, {"hs", []byte("an-hs256-key-of-thirty-two-bytes!!")}} {
		s, err := NewJWTSigner(tc.kid, tc.key)
		require.NoError(t, err)
		tok, err := s.Sign(JWTClaims{Issuer: "https://idp", Audience: "hooks", ID: "d-1", IssuedAt: now, Expires: now.Add(time.Minute)})
		require.NoError(t, err)
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		got, err := v.Verify(r, nil)
		if tc.kid == "hs" {
			assert.ErrorIs(t, err, ErrUnauthorized, "an HS256 key is never published")
			continue
		}
		require.NoError(t, err, tc.kid)
		assert.Equal(t, "d-1", got.ID)
	}
	_, err = NewJWTSigner("x", []byte("short"))
	assert.ErrorIs(t, err, ErrConfig)
	_, err = NewJWTSigner("x", "not a key")
	assert.ErrorIs(t, err, ErrConfig)
}

// What a JWKS key must be to verify a token: a signature key ("use" absent or
// "sig"), of the token's algorithm when it names one, RSA of at least 2 048 bits;
// static keys are held to the same strength.
func TestBearerKeyRules(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	fc := clock.NewFake(now)
	strong, _ := rsa.GenerateKey(rand.Reader, 2048)
	weak, _ := rsa.GenerateKey(rand.Reader, 1024)
	rsaJWK := func(kid string, k *rsa.PrivateKey, extra map[string]string) map[string]string {
		m := map[string]string{"kty": "RSA", "kid": kid, "n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
		for a, b := range extra {
			m[a] = b
		}
		return m
	}
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{
			rsaJWK("sig", strong, map[string]string{"use": "sig", "alg": "RS256"}),
			rsaJWK("enc", strong, map[string]string{"use": "enc"}),
			rsaJWK("other-alg", strong, map[string]string{"alg": "RS512"}),
			rsaJWK("weak", weak, nil),
		}})
	}))
	defer jwks.Close()
	v, err := NewBearer(BearerOptions{Issuer: "iss", Audience: "aud", JWKSURL: jwks.URL, Clock: fc})
	require.NoError(t, err)
	claims := map[string]any{"iss": "iss", "aud": "aud", "exp": now.Add(time.Hour).Unix()}
	for _, tc := range []struct {
		kid  string
		key  *rsa.PrivateKey
		want error
	}{
		{"sig", strong, nil},
		{"enc", strong, ErrUnauthorized},    // an encryption key is not used
		{"other-alg", strong, ErrSignature}, // the key is for RS512, the token says RS256
		{"weak", weak, ErrUnauthorized},     // 1 024 bits: not used
		{"sig", weak, ErrSignature},         // signed by another key
	} {
		fc.Advance(2 * time.Minute) // past the refetch limit: each unknown kid may refetch
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Authorization", "Bearer "+mint(t, "RS256", tc.kid, tc.key, claims))
		_, err := v.Verify(r, nil)
		if tc.want == nil {
			require.NoError(t, err, tc.kid)
			continue
		}
		assert.ErrorIs(t, err, tc.want, tc.kid)
	}
	_, err = NewBearer(BearerOptions{Issuer: "i", Audience: "a", Keys: map[string]crypto.PublicKey{"k": &weak.PublicKey}})
	assert.ErrorIs(t, err, ErrConfig, "a static RSA key under 2 048 bits is refused")
}

// A JWKS fetch holds no lock that verifications wait on: while one verification
// waits for the key set (an unknown kid), another with a key already fetched passes.
func TestBearerFetchesTheJWKSWithoutTheLock(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	fc := clock.NewFake(now)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	var calls atomic.Int64
	release, fetching := make(chan struct{}), make(chan struct{})
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 2 {
			close(fetching)
			<-release // the second fetch hangs until the test lets it go
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{
			{"kty": "EC", "kid": "ec1", "crv": "P-256", "x": b64(ecKey.X.FillBytes(make([]byte, 32))), "y": b64(ecKey.Y.FillBytes(make([]byte, 32)))},
		}})
	}))
	defer jwks.Close()
	v, err := NewBearer(BearerOptions{Issuer: "iss", Audience: "aud", JWKSURL: jwks.URL, Clock: fc})
	require.NoError(t, err)
	claims := map[string]any{"iss": "iss", "aud": "aud", "exp": now.Add(time.Hour).Unix()}
	verify := func(kid string) error {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Authorization", "Bearer "+mint(t, "ES256", kid, ecKey, claims))
		_, err := v.Verify(r, nil)
		return err
	}
	require.NoError(t, verify("ec1"), "the first fetch")
	fc.Advance(2 * time.Minute)
	unknown := make(chan error, 1)
	go func() { unknown <- verify("rotated") }()
	<-fetching
	assert.NoError(t, verify("ec1"), "a known key verifies while the JWKS is being fetched")
	close(release)
	assert.ErrorIs(t, <-unknown, ErrUnauthorized)
}

package webhook

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors/clock"
)

// BearerOptions configure [NewBearer]: JWTs in "Authorization: Bearer …", checked
// against keys or a JWKS URL, with issuer, audience and expiry.
type BearerOptions struct {
	// Issuer the token must name (iss); required.
	Issuer string
	// Audience the token must include (aud); required.
	Audience string
	// Keys by key id ("" matches tokens without kid): []byte for HS256 (at least 32
	// bytes), *rsa.PublicKey (RS256), *ecdsa.PublicKey (ES256), ed25519.PublicKey (EdDSA).
	Keys map[string]crypto.PublicKey
	// JWKSURL is fetched for keys not in Keys (refetched at most once a minute when
	// an unknown kid appears, for rotation).
	JWKSURL string
	// HTTPClient fetches the JWKS (default: a client with a 10 s timeout).
	HTTPClient *http.Client
	// DeliveryID says the sender mints one token per delivery, whose jti names the
	// delivery: the receiver then de-duplicates on it. Off by default: an OAuth access
	// token is reused for many deliveries, and its jti would make every delivery after
	// the first look like a repeat (de-duplication then falls back to a signed id of
	// another scheme, or a hash of the body).
	DeliveryID bool
	// Leeway for exp and nbf (default 1 minute).
	Leeway time.Duration
	// Clock tells the time (tests).
	Clock clock.Clock
}

// Bearer verifies JWT bearer tokens. With BearerOptions.DeliveryID, the token's jti
// is the delivery id it vouches for.
type Bearer struct {
	o   BearerOptions
	clk clock.Clock

	mu      sync.Mutex
	jwks    map[string]crypto.PublicKey
	fetched time.Time
}

// NewBearer returns a JWT verifier; it refuses a missing issuer, audience or key
// source, and HMAC keys shorter than 32 bytes.
func NewBearer(o BearerOptions) (*Bearer, error) {
	if o.Issuer == "" || o.Audience == "" {
		return nil, fmt.Errorf("%w: a bearer verifier needs an issuer and an audience", ErrConfig)
	}
	if len(o.Keys) == 0 && o.JWKSURL == "" {
		return nil, fmt.Errorf("%w: a bearer verifier needs keys or a JWKS URL", ErrConfig)
	}
	for kid, k := range o.Keys {
		switch key := k.(type) {
		case []byte:
			if len(key) < 32 {
				return nil, fmt.Errorf("%w: HMAC key %q shorter than 32 bytes", ErrConfig, kid)
			}
		case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		default:
			return nil, fmt.Errorf("%w: unsupported key type %T for %q", ErrConfig, k, kid)
		}
	}
	if o.Leeway <= 0 {
		o.Leeway = time.Minute
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	b := &Bearer{o: o, clk: o.Clock}
	if b.clk == nil {
		b.clk = clock.Real{}
	}
	return b, nil
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

type jwtClaims struct {
	Iss string          `json:"iss"`
	Aud json.RawMessage `json:"aud"`
	Exp *float64        `json:"exp"`
	Nbf *float64        `json:"nbf"`
	Jti string          `json:"jti"`
}

// Verify checks the token's signature, issuer, audience, expiry and not-before.
func (b *Bearer) Verify(r *http.Request, _ []byte) (Verified, error) {
	const scheme = "bearer"
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return Verified{}, verr(scheme, ErrMissing)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return Verified{}, verr(scheme, ErrMalformed)
	}
	var h jwtHeader
	var c jwtClaims
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil || json.Unmarshal(hb, &h) != nil || json.Unmarshal(cb, &c) != nil {
		return Verified{}, verr(scheme, ErrMalformed)
	}
	key, err := b.key(r.Context(), h.Kid)
	if err != nil {
		return Verified{}, verr(scheme, err)
	}
	if !verifyJWS(h.Alg, key, []byte(parts[0]+"."+parts[1]), sig) {
		return Verified{}, verr(scheme, ErrSignature)
	}
	now := b.clk.Now()
	switch {
	case c.Iss != b.o.Issuer, !hasAudience(c.Aud, b.o.Audience):
		return Verified{}, verr(scheme, ErrUnauthorized)
	case c.Exp == nil:
		return Verified{}, verr(scheme, ErrMalformed) // tokens without expiry are refused
	case now.Sub(unix(*c.Exp)) > b.o.Leeway:
		return Verified{}, verr(scheme, ErrTooOld)
	case c.Nbf != nil && unix(*c.Nbf).Sub(now) > b.o.Leeway:
		return Verified{}, verr(scheme, ErrTooNew)
	}
	if !b.o.DeliveryID {
		return Verified{}, nil
	}
	return Verified{ID: c.Jti}, nil
}

func unix(f float64) time.Time { return time.Unix(int64(f), 0) }

func hasAudience(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		for _, a := range many {
			if a == want {
				return true
			}
		}
	}
	return false
}

// verifyJWS checks a signature; the algorithm must match the key's type, so an RSA
// public key can never be used as an HMAC secret ("alg confusion"), and "none" never
// verifies.
func verifyJWS(alg string, key crypto.PublicKey, signed, sig []byte) bool {
	sum := sha256.Sum256(signed)
	switch k := key.(type) {
	case []byte:
		if alg != "HS256" {
			return false
		}
		m := hmac.New(sha256.New, k)
		m.Write(signed)
		return hmac.Equal(m.Sum(nil), sig)
	case *rsa.PublicKey:
		return alg == "RS256" && rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], sig) == nil
	case *ecdsa.PublicKey:
		if alg != "ES256" || len(sig) != 64 {
			return false
		}
		return ecdsa.Verify(k, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	case ed25519.PublicKey:
		return alg == "EdDSA" && ed25519.Verify(k, signed, sig)
	}
	return false
}

var errUnknownKey = errors.New("unknown key id")

func (b *Bearer) key(ctx context.Context, kid string) (crypto.PublicKey, error) {
	if k, ok := b.o.Keys[kid]; ok {
		return k, nil
	}
	if b.o.JWKSURL == "" {
		return nil, fmt.Errorf("%w: %w", ErrUnauthorized, errUnknownKey)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if k, ok := b.jwks[kid]; ok {
		return k, nil
	}
	if !b.fetched.IsZero() && b.clk.Now().Sub(b.fetched) < time.Minute {
		return nil, fmt.Errorf("%w: %w", ErrUnauthorized, errUnknownKey)
	}
	keys, err := fetchJWKS(ctx, b.o.HTTPClient, b.o.JWKSURL)
	b.fetched = b.clk.Now()
	if err != nil {
		return nil, fmt.Errorf("%w: fetching the JWKS: %w", ErrUnauthorized, err)
	}
	b.jwks = keys
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("%w: %w", ErrUnauthorized, errUnknownKey)
}

type jwk struct {
	Kty, Kid, Crv, N, E, X, Y string
}

func fetchJWKS(ctx context.Context, hc *http.Client, url string) (map[string]crypto.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("JWKS answered %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var set struct{ Keys []jwk }
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&set); err != nil {
		return nil, err
	}
	out := map[string]crypto.PublicKey{}
	dec := base64.RawURLEncoding.DecodeString
	for _, k := range set.Keys {
		switch {
		case k.Kty == "RSA":
			n, err1 := dec(k.N)
			e, err2 := dec(k.E)
			if err1 != nil || err2 != nil || len(e) > 4 {
				continue
			}
			out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		case k.Kty == "EC" && k.Crv == "P-256":
			x, err1 := dec(k.X)
			y, err2 := dec(k.Y)
			if err1 != nil || err2 != nil || len(x) > 32 || len(y) > 32 {
				continue
			}
			point := make([]byte, 65) // uncompressed: 0x04 || X || Y, each left-padded
			point[0] = 4
			copy(point[33-len(x):33], x)
			copy(point[65-len(y):], y)
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point) // checks the point is on the curve
			if err != nil {
				continue
			}
			out[k.Kid] = pub
		case k.Kty == "OKP" && k.Crv == "Ed25519":
			x, err := dec(k.X)
			if err != nil || len(x) != ed25519.PublicKeySize {
				continue
			}
			out[k.Kid] = ed25519.PublicKey(x)
		}
	}
	return out, nil
}

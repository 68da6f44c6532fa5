package webhook

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"encoding/base64"
	"github.com/dispatchcenter/connectors/clock"
	"slices"
)

// Bearer tokens are parsed and their signatures checked by go-jose (v4), with an
// explicit allowlist of algorithms; this file decides which key a token may be
// checked with, and what its claims must say.

// minRSABits is the smallest RSA modulus accepted (NIST SP 800-131A).
const minRSABits = 2048

// allowedAlgs are the JWS algorithms a token may use; each needs its own key type
// (see algFor), so an RSA public key is never taken for an HMAC secret.
var allowedAlgs = []jose.SignatureAlgorithm{jose.HS256, jose.RS256, jose.ES256, jose.EdDSA}

// BearerOptions configure [NewBearer]: JWTs in "Authorization: Bearer …", checked
// against keys or a JWKS URL, with issuer, audience and expiry.
type BearerOptions struct {
	// Issuer the token must name (iss); required.
	Issuer string
	// Audience the token must include (aud); required.
	Audience string
	// Keys by key id ("" matches tokens without kid): []byte for HS256 (at least 32
	// bytes), *rsa.PublicKey for RS256 (at least 2 048 bits), *ecdsa.PublicKey on P-256
	// for ES256, ed25519.PublicKey for EdDSA.
	Keys map[string]crypto.PublicKey
	// JWKSURL is fetched for keys not in Keys (refetched at most once a minute when
	// an unknown kid appears, for rotation). A key whose "use" is not "sig", whose
	// "alg" is not the token's, or an RSA key under 2 048 bits is not used.
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

	// mu guards the fetched keys only: a fetch runs without it, so verifications
	// with known keys never wait on the network
	mu      sync.Mutex
	jwks    map[string]jose.JSONWebKey
	fetched time.Time // the last fetch began; unknown kids refetch at most once a minute
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
		if err := usableKey(k); err != nil {
			return nil, fmt.Errorf("%w: key %q: %w", ErrConfig, kid, err)
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

// Verify checks the token's signature, issuer, audience, expiry and not-before;
// the result names the token's subject (sub).
func (b *Bearer) Verify(r *http.Request, _ []byte) (Verified, error) {
	const scheme = "bearer"
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || raw == "" {
		return Verified{}, verr(scheme, ErrMissing)
	}
	tok, err := jwt.ParseSigned(raw, allowedAlgs)
	if err != nil || len(tok.Headers) != 1 {
		if alg, ok := headerAlg(raw); ok && !slices.Contains(allowedAlgs, alg) {
			return Verified{}, verr(scheme, ErrSignature) // "none", or an algorithm never accepted
		}
		return Verified{}, verr(scheme, ErrMalformed)
	}
	h := tok.Headers[0]
	key, err := b.key(r.Context(), h.KeyID, jose.SignatureAlgorithm(h.Algorithm))
	if err != nil {
		return Verified{}, verr(scheme, err)
	}
	var c jwt.Claims
	if err := tok.Claims(key, &c); err != nil {
		if errors.Is(err, jose.ErrCryptoFailure) {
			return Verified{}, verr(scheme, ErrSignature)
		}
		return Verified{}, verr(scheme, ErrMalformed)
	}
	now := b.clk.Now()
	switch {
	case c.Issuer != b.o.Issuer, !c.Audience.Contains(b.o.Audience):
		return Verified{}, verr(scheme, ErrUnauthorized)
	case c.Expiry == nil:
		return Verified{}, verr(scheme, ErrMalformed) // tokens without expiry are refused
	case now.Sub(c.Expiry.Time()) > b.o.Leeway:
		return Verified{}, verr(scheme, ErrTooOld)
	case c.NotBefore != nil && c.NotBefore.Time().Sub(now) > b.o.Leeway:
		return Verified{}, verr(scheme, ErrTooNew)
	}
	v := Verified{Subject: c.Subject}
	if b.o.DeliveryID {
		v.ID = c.ID
	}
	return v, nil
}

// headerAlg reads the alg of a compact token's header, to tell a token signed with an
// algorithm that is never accepted from one that does not parse.
func headerAlg(raw string) (jose.SignatureAlgorithm, bool) {
	head, _, ok := strings.Cut(raw, ".")
	if !ok {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(head)
	var h struct{ Alg string }
	if err != nil || json.Unmarshal(b, &h) != nil {
		return "", false
	}
	return jose.SignatureAlgorithm(h.Alg), true
}

// algFor is the one algorithm a key may verify: the algorithm follows the key's type,
// never the token's header alone, so no token can choose how its key is read
// ("alg confusion"), and "none" is never one.
func algFor(key any) jose.SignatureAlgorithm {
	switch key.(type) {
	case []byte:
		return jose.HS256
	case *rsa.PublicKey:
		return jose.RS256
	case *ecdsa.PublicKey:
		return jose.ES256
	case ed25519.PublicKey:
		return jose.EdDSA
	}
	return ""
}

// usableKey refuses keys too weak or of a type no allowed algorithm takes.
func usableKey(key any) error {
	switch k := key.(type) {
	case []byte:
		if len(k) < 32 {
			return errors.New("an HMAC key shorter than 32 bytes")
		}
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("an RSA key of %d bits (at least %d)", k.N.BitLen(), minRSABits)
		}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return errors.New("an EC key not on P-256")
		}
	case ed25519.PublicKey:
	default:
		return fmt.Errorf("unsupported key type %T", key)
	}
	return nil
}

var errUnknownKey = errors.New("unknown key id")

// key returns the key a token with kid and alg is checked with: one of Keys, or of
// the JWKS, whose algorithm is alg.
func (b *Bearer) key(ctx context.Context, kid string, alg jose.SignatureAlgorithm) (any, error) {
	if k, ok := b.o.Keys[kid]; ok {
		if algFor(k) != alg {
			return nil, ErrSignature
		}
		return k, nil
	}
	if b.o.JWKSURL == "" {
		return nil, fmt.Errorf("%w: %w", ErrUnauthorized, errUnknownKey)
	}
	k, ok, fetch := b.known(kid)
	if !ok && fetch {
		keys, err := fetchJWKS(ctx, b.o.HTTPClient, b.o.JWKSURL) // without the lock
		if err != nil {
			return nil, fmt.Errorf("%w: fetching the JWKS: %w", ErrUnauthorized, err)
		}
		b.mu.Lock()
		b.jwks = keys
		b.mu.Unlock()
		k, ok = keys[kid]
	}
	if !ok {
		return nil, fmt.Errorf("%w: %w", ErrUnauthorized, errUnknownKey)
	}
	if algFor(k.Key) != alg || k.Algorithm != "" && k.Algorithm != string(alg) {
		return nil, ErrSignature
	}
	return k.Key, nil
}

// known looks kid up among the fetched keys; when it is not there, fetch says whether
// this caller is to fetch the JWKS again (at most once a minute, whoever asks).
func (b *Bearer) known(kid string) (k jose.JSONWebKey, ok, fetch bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if k, ok = b.jwks[kid]; ok {
		return k, true, false
	}
	now := b.clk.Now()
	if !b.fetched.IsZero() && now.Sub(b.fetched) < time.Minute {
		return k, false, false
	}
	b.fetched = now
	return k, false, true
}

// fetchJWKS reads the key set (at most 1 MiB) and keeps the keys a token may be
// checked with: public signature keys of an allowed type and strength.
func fetchJWKS(ctx context.Context, hc *http.Client, url string) (map[string]jose.JSONWebKey, error) {
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
	var set struct{ Keys []json.RawMessage }
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, err
	}
	out := map[string]jose.JSONWebKey{}
	for _, raw := range set.Keys {
		var k jose.JSONWebKey // one by one: a key that does not parse (a point off the curve) is skipped
		if k.UnmarshalJSON(raw) != nil || !k.Valid() || !k.IsPublic() || k.Use != "" && k.Use != "sig" || usableKey(k.Key) != nil {
			continue
		}
		out[k.KeyID] = k
	}
	return out, nil
}

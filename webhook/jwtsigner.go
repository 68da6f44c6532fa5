package webhook

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// JWTSigner mints the bearer tokens [Bearer] verifies, for senders and fakes: EdDSA
// (ed25519.PrivateKey), ES256 (*ecdsa.PrivateKey on P-256) or HS256 ([]byte of at
// least 32 bytes).
type JWTSigner struct {
	alg, kid string
	key      any
}

// NewJWTSigner returns a signer whose tokens carry kid.
func NewJWTSigner(kid string, key any) (*JWTSigner, error) {
	s := &JWTSigner{kid: kid, key: key}
	switch k := key.(type) {
	case ed25519.PrivateKey:
		s.alg = "EdDSA"
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ES256 needs a P-256 key", ErrConfig)
		}
		s.alg = "ES256"
	case []byte:
		if len(k) < 32 {
			return nil, fmt.Errorf("%w: an HS256 key must be at least 32 bytes", ErrConfig)
		}
		s.alg = "HS256"
	default:
		return nil, fmt.Errorf("%w: unsupported signing key %T", ErrConfig, key)
	}
	return s, nil
}

// JWTClaims are the registered claims a token carries.
type JWTClaims struct {
	Issuer, Subject, Audience string
	// ID is the jti: per-delivery tokens name their delivery with it.
	ID       string
	IssuedAt time.Time
	Expires  time.Time
}

// Sign returns a compact JWT with the claims.
func (s *JWTSigner) Sign(c JWTClaims) (string, error) {
	enc := base64.RawURLEncoding.EncodeToString
	hb, _ := json.Marshal(map[string]string{"alg": s.alg, "kid": s.kid, "typ": "JWT"})
	claims := map[string]any{"iss": c.Issuer, "aud": c.Audience, "exp": c.Expires.Unix()}
	if c.Subject != "" {
		claims["sub"] = c.Subject
	}
	if c.ID != "" {
		claims["jti"] = c.ID
	}
	if !c.IssuedAt.IsZero() {
		claims["iat"] = c.IssuedAt.Unix()
	}
	cb, _ := json.Marshal(claims)
	signed := enc(hb) + "." + enc(cb)
	var sig []byte
	switch k := s.key.(type) {
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, []byte(signed))
	case *ecdsa.PrivateKey:
		sum := sha256.Sum256([]byte(signed))
		r, ss, err := ecdsa.Sign(rand.Reader, k, sum[:])
		if err != nil {
			return "", err
		}
		sig = append(r.FillBytes(make([]byte, 32)), ss.FillBytes(make([]byte, 32))...)
	case []byte:
		m := hmac.New(sha256.New, k)
		m.Write([]byte(signed))
		sig = m.Sum(nil)
	}
	return signed + "." + enc(sig), nil
}

// JWKS encodes public keys by key id as a JSON Web Key Set (Ed25519 and P-256), as a
// token issuer publishes them for [BearerOptions].JWKSURL.
func JWKS(keys map[string]crypto.PublicKey) ([]byte, error) {
	enc := base64.RawURLEncoding.EncodeToString
	set := []map[string]string{}
	for kid, k := range keys {
		switch key := k.(type) {
		case ed25519.PublicKey:
			set = append(set, map[string]string{"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": enc(key)})
		case *ecdsa.PublicKey:
			b, err := key.Bytes() // 0x04 || X || Y
			if err != nil || key.Curve != elliptic.P256() {
				return nil, fmt.Errorf("%w: JWKS needs P-256 keys", ErrConfig)
			}
			set = append(set, map[string]string{"kty": "EC", "crv": "P-256", "kid": kid, "x": enc(b[1:33]), "y": enc(b[33:])})
		default:
			return nil, fmt.Errorf("%w: JWKS: unsupported key %T", ErrConfig, k)
		}
	}
	return json.Marshal(map[string]any{"keys": set})
}

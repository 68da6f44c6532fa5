package webhook

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// JWTSigner mints the bearer tokens [Bearer] verifies, for senders and fakes: EdDSA
// (ed25519.PrivateKey), ES256 (*ecdsa.PrivateKey on P-256) or HS256 ([]byte of at
// least 32 bytes). Tokens are signed by go-jose.
type JWTSigner struct {
	signer jose.Signer
}

// NewJWTSigner returns a signer whose tokens carry kid.
func NewJWTSigner(kid string, key any) (*JWTSigner, error) {
	var alg jose.SignatureAlgorithm
	switch k := key.(type) {
	case ed25519.PrivateKey:
		alg = jose.EdDSA
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ES256 needs a P-256 key", ErrConfig)
		}
		alg = jose.ES256
	case []byte:
		if len(k) < 32 {
			return nil, fmt.Errorf("%w: an HS256 key must be at least 32 bytes", ErrConfig)
		}
		alg = jose.HS256
	default:
		return nil, fmt.Errorf("%w: unsupported signing key %T", ErrConfig, key)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return &JWTSigner{signer: s}, nil
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
	claims := jwt.Claims{Issuer: c.Issuer, Subject: c.Subject, Audience: jwt.Audience{c.Audience}, ID: c.ID,
		Expiry: jwt.NewNumericDate(c.Expires)}
	if !c.IssuedAt.IsZero() {
		claims.IssuedAt = jwt.NewNumericDate(c.IssuedAt)
	}
	return jwt.Signed(s.signer).Claims(claims).Serialize()
}

// JWKS encodes public keys by key id as a JSON Web Key Set (Ed25519 and P-256, each
// marked for signatures), as a token issuer publishes them for
// [BearerOptions].JWKSURL.
func JWKS(keys map[string]crypto.PublicKey) ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for kid, k := range keys {
		var alg jose.SignatureAlgorithm
		switch key := k.(type) {
		case ed25519.PublicKey:
			alg = jose.EdDSA
		case *ecdsa.PublicKey:
			if key.Curve != elliptic.P256() {
				return nil, fmt.Errorf("%w: JWKS needs P-256 keys", ErrConfig)
			}
			alg = jose.ES256
		default:
			return nil, fmt.Errorf("%w: JWKS: unsupported key %T", ErrConfig, k)
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: string(alg), Use: "sig"})
	}
	return json.Marshal(set)
}

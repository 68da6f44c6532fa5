package webhook

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// StandardSigner signs Standard Webhooks deliveries with an HMAC secret and/or an
// Ed25519 private key (both signatures go in one header when both are set).
type StandardSigner struct {
	secret []byte
	priv   ed25519.PrivateKey
}

// NewStandardSigner returns a signer for a "whsec_" secret (may be empty when priv is
// set) and an optional Ed25519 private key.
func NewStandardSigner(secret string, priv ed25519.PrivateKey) (*StandardSigner, error) {
	s := &StandardSigner{priv: priv}
	if secret != "" {
		b, err := decodeSecret(secret)
		if err != nil {
			return nil, err
		}
		s.secret = b
	}
	if s.secret == nil && s.priv == nil {
		return nil, fmt.Errorf("%w: a signer needs a secret or a key", ErrConfig)
	}
	return s, nil
}

// Sign sets webhook-id, webhook-timestamp and webhook-signature on h for body.
func (s *StandardSigner) Sign(h http.Header, id string, at time.Time, body []byte) {
	ts := strconv.FormatInt(at.Unix(), 10)
	msg := []byte(id + "." + ts + "." + string(body))
	var sigs []string
	if s.secret != nil {
		m := hmac.New(sha256.New, s.secret)
		m.Write(msg)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
	if s.priv != nil {
		sigs = append(sigs, "v1a,"+base64.StdEncoding.EncodeToString(ed25519.Sign(s.priv, msg)))
	}
	h.Set("Webhook-Id", id)
	h.Set("Webhook-Timestamp", ts)
	h.Set("Webhook-Signature", strings.Join(sigs, " "))
}

// EncodePublicKey returns the "whpk_" form of an Ed25519 public key.
func EncodePublicKey(k ed25519.PublicKey) string {
	return "whpk_" + base64.StdEncoding.EncodeToString(k)
}

// EncodeSecret returns the "whsec_" form of a raw secret.
func EncodeSecret(b []byte) string { return "whsec_" + base64.StdEncoding.EncodeToString(b) }

// HMACSigner is the signing side of [HMAC] with the same options.
type HMACSigner struct{ v *HMAC }

// NewHMACSigner returns a signer matching a verifier built from the same options
// (the first secret signs).
func NewHMACSigner(o HMACOptions) (*HMACSigner, error) {
	v, err := NewHMAC(o)
	if err != nil {
		return nil, err
	}
	return &HMACSigner{v: v}, nil
}

// Sign sets the signature (and timestamp) headers on h for body.
func (s *HMACSigner) Sign(h http.Header, at time.Time, body []byte) {
	o := s.v.o
	ts := ""
	if o.TimestampHeader != "" {
		ts = strconv.FormatInt(at.Unix(), 10)
		h.Set(o.TimestampHeader, ts)
	}
	mac := s.v.mac(0, ts, body) // signed with the first secret only
	enc := hex.EncodeToString(mac)
	if o.Encoding == "base64" {
		enc = base64.StdEncoding.EncodeToString(mac)
	}
	h.Set(o.Header, o.Prefix+enc)
}

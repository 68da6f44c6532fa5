package webhook

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchcenter/connectors/clock"
)

// Verified is what a verifier vouches for.
type Verified struct {
	// ID is the delivery id covered by the signature ("" when the scheme signs none).
	ID string
	// Timestamp is the signed timestamp (zero when the scheme signs none).
	Timestamp time.Time
	// Subject is whom the credential names: a bearer token's sub claim ("" when
	// the scheme names no one). An OIDC ID token's subject is its user.
	Subject string
}

// Verifier checks one delivery: the request (for headers and the peer) and the exact
// body bytes received.
type Verifier interface {
	Verify(r *http.Request, body []byte) (Verified, error)
}

// All requires every verifier to accept, in order (e.g. an IP allowlist, then a
// signature); the result merges what they vouch for.
func All(vs ...Verifier) Verifier { return all(vs) }

type all []Verifier

func (a all) Verify(r *http.Request, body []byte) (Verified, error) {
	var out Verified
	for _, v := range a {
		got, err := v.Verify(r, body)
		if err != nil {
			return Verified{}, err
		}
		if got.ID != "" {
			out.ID = got.ID
		}
		if !got.Timestamp.IsZero() {
			out.Timestamp = got.Timestamp
		}
		if got.Subject != "" {
			out.Subject = got.Subject
		}
	}
	return out, nil
}

// DefaultTolerance is how far a signed timestamp may be from now, either way.
const DefaultTolerance = 5 * time.Minute

// StandardOptions configure [NewStandard].
type StandardOptions struct {
	// Secrets are the active HMAC secrets, "whsec_"-prefixed base64 (several during a
	// rotation). At least one secret or public key is required.
	Secrets []string
	// PublicKeys are the active Ed25519 keys for v1a signatures, "whpk_"-prefixed
	// base64.
	PublicKeys []string
	// Tolerance is the replay window on both sides (default 5 minutes), in whole
	// seconds: now is floored to the second, so a timestamp exactly at the tolerance
	// is accepted (as the official libraries compare).
	Tolerance time.Duration
	// Clock tells the time (tests).
	Clock clock.Clock
}

// Standard verifies Standard Webhooks deliveries (webhook-id, webhook-timestamp,
// webhook-signature over "id.timestamp.body").
type Standard struct {
	secrets []*macPool
	keys    []ed25519.PublicKey
	tol     time.Duration
	clk     clock.Clock
}

// NewStandard returns a Standard Webhooks verifier. It refuses an empty key set and
// secrets shorter than 24 bytes (fail closed).
func NewStandard(o StandardOptions) (*Standard, error) {
	s := &Standard{tol: o.Tolerance, clk: o.Clock}
	if s.tol <= 0 {
		s.tol = DefaultTolerance
	}
	if s.clk == nil {
		s.clk = clock.Real{}
	}
	for _, sec := range o.Secrets {
		b, err := decodeSecret(sec)
		if err != nil {
			return nil, err
		}
		s.secrets = append(s.secrets, newMACPool(sha256.New, b))
	}
	for _, k := range o.PublicKeys {
		b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(k, "whpk_"))
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: an Ed25519 public key must be whpk_ and 32 bytes of base64", ErrConfig)
		}
		s.keys = append(s.keys, ed25519.PublicKey(b))
	}
	if len(s.secrets) == 0 && len(s.keys) == 0 {
		return nil, fmt.Errorf("%w: no secret or key: refusing to accept unsigned deliveries", ErrConfig)
	}
	return s, nil
}

func decodeSecret(sec string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sec, "whsec_"))
	if err != nil {
		return nil, fmt.Errorf("%w: a secret must be whsec_ and base64", ErrConfig)
	}
	if len(b) < 24 {
		return nil, fmt.Errorf("%w: a secret must be at least 24 bytes (got %d)", ErrConfig, len(b))
	}
	return b, nil
}

// Verify checks the timestamp window, then every signature in the header against
// every active key.
func (s *Standard) Verify(r *http.Request, body []byte) (Verified, error) {
	const scheme = "standard-webhooks"
	// canonical keys: Header.Get does not have to re-canonicalise (and allocate)
	id, ts, sigs := r.Header.Get("Webhook-Id"), r.Header.Get("Webhook-Timestamp"), r.Header.Get("Webhook-Signature")
	if id == "" || ts == "" || sigs == "" {
		return Verified{}, verr(scheme, ErrMissing)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Verified{}, verr(scheme, ErrMalformed)
	}
	at := time.Unix(sec, 0)
	if err := window(s.clk.Now(), at, s.tol); err != nil {
		return Verified{}, verr(scheme, err)
	}
	// the HMAC is fed the parts (no copy of the body), with pooled keyed HMACs, into
	// buffers on the stack for up to 4 secrets; v1a builds the message only when an
	// Ed25519 signature is actually present
	var macs [][]byte
	var macArr [4][]byte
	var sums [4][sha256.Size]byte
	var msg []byte
	var buf [96]byte // decoded signatures: 32 bytes (HMAC) or 64 (Ed25519)
	for one := range strings.FieldsSeq(sigs) {
		ver, b64, ok := strings.Cut(one, ",")
		if !ok || base64.StdEncoding.DecodedLen(len(b64)) > len(buf) {
			continue
		}
		n, err := base64.StdEncoding.Decode(buf[:], []byte(b64))
		if err != nil {
			continue
		}
		raw := buf[:n]
		switch ver {
		case "v1":
			if macs == nil {
				macs = macArr[:0]
				for i, mp := range s.secrets {
					var dst []byte
					if i < len(sums) {
						dst = sums[i][:0]
					}
					macs = append(macs, mp.sum(dst, body, id, ts))
				}
			}
			for _, mac := range macs {
				if hmac.Equal(mac, raw) {
					return Verified{ID: id, Timestamp: at}, nil
				}
			}
		case "v1a":
			if len(s.keys) > 0 && msg == nil {
				msg = make([]byte, 0, len(id)+len(ts)+len(body)+2)
				msg = append(append(append(append(append(msg, id...), '.'), ts...), '.'), body...)
			}
			for _, k := range s.keys {
				if ed25519.Verify(k, msg, raw) {
					return Verified{ID: id, Timestamp: at}, nil
				}
			}
		}
	}
	return Verified{}, verr(scheme, ErrSignature)
}

var dot = []byte{'.'}

// window checks a timestamp on both sides.
func window(now, at time.Time, tol time.Duration) error {
	// timestamps are whole seconds: now is floored to the second, as the official
	// Standard Webhooks libraries compare integer seconds, so a timestamp exactly at
	// the tolerance is accepted on both sides, whatever the fraction of now
	now = now.Truncate(time.Second)
	switch {
	case now.Sub(at) > tol:
		return ErrTooOld
	case at.Sub(now) > tol:
		return ErrTooNew
	}
	return nil
}

// HMACOptions configure [NewHMAC], for vendors that sign in their own way.
type HMACOptions struct {
	// Name of the scheme, for errors ("maddenco").
	Name string
	// Header carrying the signature, e.g. "X-Signature".
	Header string
	// Prefix before the signature value, e.g. "sha256=".
	Prefix string
	// Encoding of the signature: "hex" (default) or "base64".
	Encoding string
	// Hash is "sha256" (default) or "sha1" (legacy senders).
	Hash string
	// Secrets are the active raw secrets (several during a rotation).
	Secrets [][]byte
	// TimestampHeader, when set, carries a Unix timestamp that is signed too (as
	// "timestamp.body") and checked against Tolerance.
	TimestampHeader string
	// IDHeader names the delivery id header. It is not signed by this scheme, so it
	// is never used for de-duplication (a hash of the body is).
	IDHeader string
	// Tolerance of the timestamp (default 5 minutes).
	Tolerance time.Duration
	// Clock tells the time (tests).
	Clock clock.Clock
}

// HMAC verifies a configurable HMAC signature over the body (and timestamp).
type HMAC struct {
	o     HMACOptions
	h     func() hash.Hash
	pools []*macPool
	clk   clock.Clock
}

// NewHMAC returns a configurable HMAC verifier; it refuses empty secrets.
func NewHMAC(o HMACOptions) (*HMAC, error) {
	if o.Header == "" {
		return nil, fmt.Errorf("%w: the signature header is required", ErrConfig)
	}
	if len(o.Secrets) == 0 {
		return nil, fmt.Errorf("%w: no secret: refusing to accept unsigned deliveries", ErrConfig)
	}
	for _, s := range o.Secrets {
		if len(s) < 16 {
			return nil, fmt.Errorf("%w: a secret must be at least 16 bytes", ErrConfig)
		}
	}
	v := &HMAC{o: o, h: sha256.New, clk: o.Clock}
	switch o.Hash {
	case "", "sha256":
	case "sha1":
		v.h = sha1.New
	default:
		return nil, fmt.Errorf("%w: unknown hash %q", ErrConfig, o.Hash)
	}
	switch o.Encoding {
	case "", "hex", "base64":
	default:
		return nil, fmt.Errorf("%w: unknown encoding %q", ErrConfig, o.Encoding)
	}
	if v.o.Name == "" {
		v.o.Name = "hmac"
	}
	if v.o.Tolerance <= 0 {
		v.o.Tolerance = DefaultTolerance
	}
	if v.clk == nil {
		v.clk = clock.Real{}
	}
	for _, secret := range o.Secrets {
		v.pools = append(v.pools, newMACPool(v.h, secret))
	}
	return v, nil
}

// macs returns the MAC of the signed material under every secret.
func (v *HMAC) macs(ts string, body []byte) [][]byte {
	out := make([][]byte, len(v.pools))
	for i := range v.pools {
		out[i] = v.mac(i, ts, body)
	}
	return out
}

// mac returns the MAC of the signed material under secret i.
func (v *HMAC) mac(i int, ts string, body []byte) []byte {
	if ts != "" {
		return v.pools[i].sum(nil, body, ts)
	}
	return v.pools[i].sum(nil, body)
}

// Verify checks the signature header (several comma- or space-separated values are
// accepted) against every active secret.
func (v *HMAC) Verify(r *http.Request, body []byte) (Verified, error) {
	raw := r.Header.Values(v.o.Header)
	if len(raw) == 0 {
		return Verified{}, verr(v.o.Name, ErrMissing)
	}
	var out Verified
	ts := ""
	if v.o.TimestampHeader != "" {
		ts = r.Header.Get(v.o.TimestampHeader)
		if ts == "" {
			return Verified{}, verr(v.o.Name, ErrMissing)
		}
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return Verified{}, verr(v.o.Name, ErrMalformed)
		}
		out.Timestamp = time.Unix(sec, 0)
		if err := window(v.clk.Now(), out.Timestamp, v.o.Tolerance); err != nil {
			return Verified{}, verr(v.o.Name, err)
		}
	}
	var macs [][]byte // computed once, for the first well-formed signature
	for _, h := range raw {
		for _, one := range strings.FieldsFunc(h, func(r rune) bool { return r == ',' || r == ' ' }) {
			got, err := v.decode(strings.TrimPrefix(one, v.o.Prefix))
			if err != nil {
				continue
			}
			if macs == nil {
				macs = v.macs(ts, body)
			}
			for _, mac := range macs {
				if hmac.Equal(mac, got) {
					return out, nil
				}
			}
		}
	}
	return Verified{}, verr(v.o.Name, ErrSignature)
}

func (v *HMAC) decode(s string) ([]byte, error) {
	if v.o.Encoding == "base64" {
		return base64.StdEncoding.DecodeString(s)
	}
	return hex.DecodeString(s)
}

// APIKey accepts a delivery whose header holds one of the active keys.
type APIKey struct {
	header string
	keys   [][]byte
}

// NewAPIKey returns an API-key verifier; it refuses empty keys.
func NewAPIKey(header string, keys ...string) (*APIKey, error) {
	if header == "" || len(keys) == 0 {
		return nil, fmt.Errorf("%w: an API key verifier needs a header and at least one key", ErrConfig)
	}
	a := &APIKey{header: header}
	for _, k := range keys {
		if len(k) < 16 {
			return nil, fmt.Errorf("%w: an API key must be at least 16 characters", ErrConfig)
		}
		a.keys = append(a.keys, []byte(k))
	}
	return a, nil
}

// Verify compares in constant time against every active key.
func (a *APIKey) Verify(r *http.Request, _ []byte) (Verified, error) {
	got := r.Header.Get(a.header)
	if got == "" {
		return Verified{}, verr("api-key", ErrMissing)
	}
	ok := 0
	for _, k := range a.keys {
		ok |= subtle.ConstantTimeCompare([]byte(got), k)
	}
	if ok != 1 {
		return Verified{}, verr("api-key", ErrUnauthorized)
	}
	return Verified{}, nil
}

// IPAllowlist accepts deliveries from the given networks. The sender's address is
// the TCP peer, or, with TrustedHops > 0, the entry that many hops from the right of
// X-Forwarded-For (the rightmost entries are added by your own proxies; the leftmost
// are the client's to forge).
type IPAllowlist struct {
	nets []*net.IPNet
	hops int
}

// NewIPAllowlist returns an allowlist of CIDRs (single addresses are accepted too).
func NewIPAllowlist(trustedHops int, cidrs ...string) (*IPAllowlist, error) {
	if len(cidrs) == 0 {
		return nil, fmt.Errorf("%w: an empty allowlist would refuse everyone", ErrConfig)
	}
	l := &IPAllowlist{hops: trustedHops}
	for _, c := range cidrs {
		if !strings.Contains(c, "/") {
			if ip := net.ParseIP(c); ip != nil && ip.To4() != nil {
				c += "/32"
			} else {
				c += "/128"
			}
		}
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			return nil, fmt.Errorf("%w: bad network %q", ErrConfig, c)
		}
		l.nets = append(l.nets, n)
	}
	return l, nil
}

// Verify checks the sender's address.
func (l *IPAllowlist) Verify(r *http.Request, _ []byte) (Verified, error) {
	addr := ""
	if l.hops > 0 {
		var parts []string
		for _, h := range r.Header.Values("X-Forwarded-For") {
			for _, p := range strings.Split(h, ",") {
				parts = append(parts, strings.TrimSpace(p))
			}
		}
		if len(parts) < l.hops {
			return Verified{}, verr("ip-allowlist", ErrForbiddenAddress)
		}
		addr = parts[len(parts)-l.hops]
	} else {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		addr = host
	}
	ip := net.ParseIP(addr)
	for _, n := range l.nets {
		if ip != nil && n.Contains(ip) {
			return Verified{}, nil
		}
	}
	return Verified{}, verr("ip-allowlist", ErrForbiddenAddress)
}

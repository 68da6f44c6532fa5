package ops

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dispatchcenter/connectors/webhook"
)

// Authenticator names the operator behind a request, or refuses it.
type Authenticator interface {
	// Operator returns who sent r; an error refuses the request (401).
	Operator(r *http.Request) (string, error)
}

// ErrUnauthenticated refuses a request without a valid operator identity.
var ErrUnauthenticated = errors.New("ops: no valid operator identity")

// BearerToken accepts requests carrying "Authorization: Bearer <token>" of one of
// the operators in tokens (token → operator name). Tokens are compared in constant
// time; make them long and random.
func BearerToken(tokens map[string]string) Authenticator {
	t := bearer{}
	for tok, name := range tokens {
		t = append(t, credential{digest: sha256.Sum256([]byte(tok)), name: name})
	}
	return t
}

type credential struct {
	digest [32]byte
	name   string
}

type bearer []credential

func (b bearer) Operator(r *http.Request) (string, error) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || raw == "" {
		return "", ErrUnauthenticated
	}
	return match(b, raw)
}

// match finds the credential of secret, comparing digests in constant time.
func match(cs []credential, secret string) (string, error) {
	d := sha256.Sum256([]byte(secret))
	name := ""
	for _, c := range cs {
		if subtle.ConstantTimeCompare(d[:], c.digest[:]) == 1 {
			name = c.name
		}
	}
	if name == "" {
		return "", ErrUnauthenticated
	}
	return name, nil
}

// BasicAuth accepts HTTP basic credentials (user → password), for a small site,
// and only over TLS: a request that did not come over TLS is refused whatever it
// carries, so that a password never crosses the network in clear.
func BasicAuth(users map[string]string) Authenticator {
	b := basic{}
	for u, p := range users {
		b[u] = credential{digest: sha256.Sum256([]byte(p)), name: u}
	}
	return b
}

type basic map[string]credential

func (b basic) Operator(r *http.Request) (string, error) {
	if r.TLS == nil {
		return "", ErrUnauthenticated
	}
	u, p, ok := r.BasicAuth()
	if !ok {
		return "", ErrUnauthenticated
	}
	c, known := b[u]
	if !known {
		c = credential{} // compare anyway, so an unknown user takes as long
	}
	name, err := match([]credential{c}, p)
	if err != nil || !known {
		return "", ErrUnauthenticated
	}
	return name, nil
}

// IDToken accepts requests carrying "Authorization: Bearer <ID token>": an OpenID
// Connect ID token checked by v, the webhook package's JWT verifier configured with
// the identity provider's issuer, the console's client ID as audience and the
// provider's jwks_uri (its signature, algorithm, issuer, audience and expiry are
// checked there). The operator is the token's subject (sub); a token without one is
// refused. Behind [NewSessions], an operator pastes the token into the sign-in form
// once, and the session then outlives it for the session's lifetime.
func IDToken(v *webhook.Bearer) Authenticator { return idToken{v} }

type idToken struct{ v *webhook.Bearer }

func (t idToken) Operator(r *http.Request) (string, error) {
	got, err := t.v.Verify(r, nil)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	}
	if got.Subject == "" {
		return "", fmt.Errorf("%w: the ID token names no subject", ErrUnauthenticated)
	}
	return got.Subject, nil
}

// AnyOf accepts a request that one of auths accepts, asked in order: say, the
// operators' ID tokens and a static token for a script.
func AnyOf(auths ...Authenticator) Authenticator { return anyOf(auths) }

type anyOf []Authenticator

func (a anyOf) Operator(r *http.Request) (string, error) {
	for _, auth := range a {
		if who, err := auth.Operator(r); err == nil {
			return who, nil
		}
	}
	return "", ErrUnauthenticated
}

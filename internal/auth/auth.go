package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/dispatchcenter/connectors"
)

// Authenticator sets credentials on an outgoing request (a copy the layer owns).
type Authenticator interface {
	Apply(req *http.Request) error
}

// Func adapts a function to [Authenticator].
type Func func(req *http.Request) error

// Apply calls f(req).
func (f Func) Apply(req *http.Request) error { return f(req) }

// APIKey sends key in the named header (e.g. "X-API-Key").
func APIKey(header, key string) Authenticator {
	name, vals := http.CanonicalHeaderKey(header), []string{key}
	// the one-element slice is shared by every request: appending to it copies
	return Func(func(r *http.Request) error { r.Header[name] = vals[:1:1]; return nil })
}

// Basic sends HTTP Basic credentials.
func Basic(user, password string) Authenticator {
	return Func(func(r *http.Request) error { r.SetBasicAuth(user, password); return nil })
}

// Bearer sends a static bearer token.
func Bearer(token string) Authenticator {
	return Func(func(r *http.Request) error { r.Header.Set("Authorization", "Bearer "+token); return nil })
}

// TokenSource sends tokens from ts (cached and refreshed by ts), mapping token
// failures to [*Error].
func TokenSource(ts oauth2.TokenSource) Authenticator {
	return Func(func(r *http.Request) error {
		tok, err := ts.Token()
		if err != nil {
			return tokenError(err)
		}
		tok.SetAuthHeader(r)
		return nil
	})
}

// Invalidator is an [Authenticator] whose cached credentials can be dropped, so the
// next request fetches new ones (after the server refused them with a 401).
type Invalidator interface {
	Authenticator
	Invalidate()
}

// ClientCredentials returns an OAuth 2.0 client-credentials authenticator. Tokens are
// fetched with hc (which should be a plain client with a timeout, not a retrying one),
// cached until shortly before they expire, and dropped when the API refuses one.
func ClientCredentials(cfg clientcredentials.Config, hc *http.Client) Invalidator {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &tokenCache{fetch: func() (*oauth2.Token, error) {
		return cfg.Token(context.WithValue(context.Background(), oauth2.HTTPClient, hc))
	}}
}

// FormToken returns an authenticator for token endpoints that take a form POST but
// are not plain OAuth 2.0 client credentials (Dayforce's password grant carries a
// companyId). The form is posted to tokenURL with hc; the answer's access_token and
// expires_in are used like a client-credentials token: cached, refreshed before
// expiry, dropped when the API refuses one.
func FormToken(tokenURL string, form url.Values, hc *http.Client) Invalidator {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	body := form.Encode()
	return &tokenCache{fetch: func() (*oauth2.Token, error) {
		req, err := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err != nil {
			return nil, err
		}
		var t struct {
			AccessToken string `json:"access_token"`
			TokenType   string `json:"token_type"`
			ExpiresIn   int64  `json:"expires_in"`
			Error       string `json:"error"`
		}
		_ = json.Unmarshal(b, &t)
		if resp.StatusCode != http.StatusOK || t.AccessToken == "" {
			// the body may echo the credentials: keep only the status and the error code
			return nil, &oauth2.RetrieveError{Response: resp, ErrorCode: t.Error}
		}
		tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: "Bearer"}
		if t.ExpiresIn > 0 {
			tok.Expiry = time.Now().Add(time.Duration(t.ExpiresIn) * time.Second)
		}
		return tok, nil
	}}
}

// tokenCache holds one token; concurrent callers wait for one fetch.
type tokenCache struct {
	fetch func() (*oauth2.Token, error)
	mu    sync.Mutex
	tok   *oauth2.Token
}

// earlyExpiry refreshes tokens this long before they expire.
const earlyExpiry = 30 * time.Second

func (t *tokenCache) Apply(r *http.Request) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == nil || !t.tok.Expiry.IsZero() && time.Until(t.tok.Expiry) < earlyExpiry {
		tok, err := t.fetch()
		if err != nil {
			return tokenError(err)
		}
		t.tok = tok
	}
	t.tok.SetAuthHeader(r)
	return nil
}

func (t *tokenCache) Invalidate() {
	t.mu.Lock()
	t.tok = nil
	t.mu.Unlock()
}

// Error reports a failure to obtain credentials. The request was not sent. It matches
// connectors.ErrUnauthorized when the token endpoint refused the credentials, and is
// retryable only when the failure was transient (a 5xx or a network error).
type Error struct {
	// StatusCode of the token endpoint's answer, 0 if none.
	StatusCode int
	// Code is the OAuth error code ("invalid_client", …), if any.
	Code string
	Err  error
}

// Error says what went wrong without the token endpoint's body (it may echo secrets).
func (e *Error) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("auth: token endpoint answered %d %s", e.StatusCode, e.Code)
	}
	return "auth: obtaining a token: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches connectors.ErrUnauthorized for refused credentials.
func (e *Error) Is(target error) bool {
	return target == connectors.ErrUnauthorized && e.StatusCode >= 400 && e.StatusCode < 500
}

// Retryable reports whether another attempt may obtain a token.
func (e *Error) Retryable() bool {
	return e.StatusCode == 0 || e.StatusCode >= 500 || e.StatusCode == 429
}

func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		// the body may echo credentials; keep only the status and the error code
		return &Error{StatusCode: re.Response.StatusCode, Code: re.ErrorCode, Err: errors.New("token request refused")}
	}
	return &Error{Err: err}
}

// Middleware returns a per-attempt layer that sets the User-Agent (when ua is not
// empty) and, for requests to one of hosts (host or host:port; ".example.com" for any
// subdomain of example.com; all hosts when none is given), the credentials from a
// (when not nil). It copies the request before changing
// it, as a RoundTripper must.
func Middleware(ua string, a Authenticator, hosts ...string) func(http.RoundTripper) http.RoundTripper {
	allowed := make(map[string]bool, len(hosts))
	var suffixes []string
	for _, h := range hosts {
		if h = strings.ToLower(h); strings.HasPrefix(h, ".") {
			suffixes = append(suffixes, h)
		} else {
			allowed[h] = true
		}
	}
	return func(next http.RoundTripper) http.RoundTripper {
		return &layer{next: next, ua: ua, uaVals: []string{ua}, auth: a, hosts: allowed, suffixes: suffixes}
	}
}

type layer struct {
	next   http.RoundTripper
	ua     string
	uaVals []string // shared, capacity 1: an append by anyone copies
	auth   Authenticator
	hosts  map[string]bool
	// suffixes are ".example.com" entries: any subdomain matches
	suffixes []string
}

func (l *layer) RoundTrip(req *http.Request) (*http.Response, error) {
	r := new(http.Request)
	*r = *req
	r.Header = make(http.Header, len(req.Header)+2)
	for k, v := range req.Header {
		r.Header[k] = v
	}
	if l.ua != "" {
		if cur := req.Header.Get("User-Agent"); cur != "" {
			r.Header.Set("User-Agent", cur+" "+l.ua)
		} else {
			r.Header["User-Agent"] = l.uaVals[:1:1]
		}
	}
	authed := l.auth != nil && l.allowed(req)
	if authed {
		if err := l.auth.Apply(r); err != nil {
			if req.Body != nil {
				_ = req.Body.Close()
			}
			return nil, err
		}
	}
	resp, err := l.next.RoundTrip(r)
	inv, ok := l.auth.(Invalidator)
	if err != nil || !authed || !ok || resp.StatusCode != http.StatusUnauthorized || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
		return resp, err
	}
	// the token was refused (expired early, revoked): fetch a new one, resend once
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	inv.Invalidate()
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	if err := l.auth.Apply(r); err != nil {
		return nil, err
	}
	return l.next.RoundTrip(r)
}

func (l *layer) allowed(req *http.Request) bool {
	if len(l.hosts) == 0 && len(l.suffixes) == 0 {
		return true
	}
	h, name := strings.ToLower(req.URL.Host), strings.ToLower(req.URL.Hostname())
	if l.hosts[h] || l.hosts[name] {
		return true
	}
	for _, s := range l.suffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

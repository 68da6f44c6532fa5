package merchanttest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/dispatchcenter/connectors/clock"
	"github.com/dispatchcenter/connectors/fake"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
	"github.com/dispatchcenter/connectors/merchant"
)

// The fake's credentials and test cards.
const (
	ClientID     = "dispatch-center"
	ClientSecret = "mp-test-secret-0123456789"
	// ClientCertName is the common name of the client certificate in [Server.Config].
	ClientCertName = "dispatch-center.example.com"
	// GatewayCertName is the common name of the certificate the fake presents when it
	// delivers events.
	GatewayCertName = "gateway.merchantpartners.test"
	// WebhookSecret signs the fake's event deliveries (Standard Webhooks).
	WebhookSecret = "whsec_bWVyY2hhbnQtdGVzdC13ZWJob29rLXNlY3JldA=="

	// CardApproved is approved (Visa; the TEST0 card of ActiveMerchant's remote
	// tests).
	CardApproved = "4003000123456781"
	// CardDeclined is declined "DECLINED:1102140001:Invalid account number:" (as on
	// TEST0; it fails the Luhn check, and the fake declines every number that does).
	CardDeclined = "4003000123456782"
	// CardApprovedMastercard is approved (Mastercard; the test card of the ATS
	// variant's Perl module).
	CardApprovedMastercard = "5454545454545454"

	// FraudReviewAmount: an authorization of this many minor units or more raises a
	// fraud alert (action review) besides being approved.
	FraudReviewAmount = 1_000_000
)

// Server is a fake Merchant Partners gateway: its XML interface ([Server.Gateway],
// TLS) and the dispatch center's reporting contract (the embedded server, mutual TLS
// only).
type Server struct {
	life fakekit.Life // New's cleanups
	*httptest.Server
	// Gateway serves the XML interface at /cgi-bin/ProcessXML.cgi.
	Gateway  *httptest.Server
	quirks   Quirks
	contract *fakekit.Contract
	now      func() time.Time
	mtls     *fakekit.MTLS

	mu       sync.Mutex
	st       state
	tokens   fakekit.Tokens
	idem     fakekit.Idempotency
	faults   fakekit.Queue
	rec      fakekit.Recorder[Request]
	hooks    fakekit.Emitter
	hookTr   *http.Transport
	failWith func(op string, r *http.Request, body []byte) *Fault
}

// Request is one recorded call: the Authorization header is never kept, and an XML
// body is kept scrubbed of card data, account numbers and the merchant PIN
// (merchant.Scrub).
type Request struct {
	Method, Path, Query string
	IdempotencyKey      string
	// ClientCert is the common name of the certificate the caller presented.
	ClientCert string
	Body       string
}

// Option configures a [Server].
type Option func(*config)

type config struct {
	history  int
	now      func() time.Time
	tokenTTL time.Duration
	quirks   Quirks
}

// WithHistory sets how many days of past transactions are seeded (default 30, about
// 33 a day: the integration design's 1 000 a month).
func WithHistory(days int) Option { return func(c *config) { c.history = days } }

// WithClock runs the fake on c instead of the wall clock: give the client and the
// fake one *clock.Fake, and a client's backoff moves the fake's time too.
func WithClock(c clock.Clock) Option { return func(cfg *config) { cfg.now = c.Now } }

// WithTokenTTL sets the lifetime of access tokens (default 1 hour).
func WithTokenTTL(d time.Duration) Option { return func(c *config) { c.tokenTTL = d } }

var contract = sync.OnceValues(func() (*fakekit.Contract, error) {
	return fakekit.LoadContract(merchant.OpenAPISpec, nil)
})

// NewServer starts a fake gateway with its own CA, and stops it when the test ends.
// It accepts only TLS 1.3 connections presenting a client certificate its CA signed.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config{history: 30, now: time.Now, tokenTTL: time.Hour}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := contract()
	if err != nil {
		t.Fatalf("merchanttest: %v", err)
	}
	m, err := fakekit.NewMTLS("merchanttest CA", ClientCertName)
	if err != nil {
		t.Fatalf("merchanttest: %v", err)
	}
	gw, err := m.CA.Client(GatewayCertName)
	if err != nil {
		t.Fatalf("merchanttest: %v", err)
	}
	s := &Server{contract: c, now: cfg.now, mtls: m, tokens: fakekit.Tokens{Prefix: "mpat_", TTL: cfg.tokenTTL}, quirks: cfg.quirks}
	s.idem.Problem = func(w http.ResponseWriter, status int, code, title string) { problem(w, status, code, title, "") }
	s.st.init()
	s.seed(cfg.history)
	s.hookTr = &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: m.CAPool(), Certificates: []tls.Certificate{gw.TLS}}}
	s.hooks.UseClient(&http.Client{Transport: s.hookTr, Timeout: 5 * time.Second})
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	m.StartTLS(s.Server, tls.VersionTLS13)
	// the XML interface: server authentication only, TLS 1.2 or later
	srvCert, err := m.CA.Server()
	if err != nil {
		t.Fatalf("merchanttest: %v", err)
	}
	s.Gateway = httptest.NewUnstartedServer(http.HandlerFunc(s.serveXML))
	s.Gateway.TLS = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{srvCert.TLS}}
	s.Gateway.StartTLS()
	t.Cleanup(func() {
		s.Server.Close()
		s.Gateway.Close()
		s.hookTr.CloseIdleConnections()
	})
	return s
}

// Config returns a merchant.Config for the fake: the XML interface's URL and the test
// account (TEST0, with [MerchantPIN]), the reporting contract's URL and credentials,
// a client certificate its CA signed and the CA to trust.
func (s *Server) Config() merchant.Config {
	return merchant.Config{GatewayURL: s.Gateway.URL + "/cgi-bin/ProcessXML.cgi", AccountID: merchant.TestAccount, MerchantPIN: MerchantPIN,
		BaseURL: s.URL, ClientID: ClientID, ClientSecret: ClientSecret, TLS: s.mtls.Client()}
}

// CAPool returns the fake's CA: it signed the fake's server certificate, the client
// certificates it accepts and the certificate it delivers events with.
func (s *Server) CAPool() *x509.CertPool { return s.mtls.CAPool() }

// CAPEM returns the fake's CA certificate as PEM.
func (s *Server) CAPEM() []byte { return s.mtls.CA.CertPEM }

// IssueClientCertificate issues another client certificate the fake accepts (PEM).
func (s *Server) IssueClientCertificate(cn string) (certPEM, keyPEM []byte, err error) {
	return s.mtls.IssueClientCertificate(cn)
}

// IssueServerCertificate issues a certificate for 127.0.0.1 and localhost that the
// fake trusts, for the server receiving its events.
func (s *Server) IssueServerCertificate() (tls.Certificate, error) {
	c, err := s.mtls.CA.Server()
	if err != nil {
		return tls.Certificate{}, err
	}
	return c.TLS, nil
}

// RefusedHandshakes returns how many TLS handshakes the fake refused (no client
// certificate, one its CA did not sign, an old TLS version).
func (s *Server) RefusedHandshakes() int { return s.mtls.RefusedHandshakes() }

// Fault is a failure to inject into the next Times calls of Match: an XML service
// ("auth", "sale", "capture", "refund", "void", "credit", "store", "profilesale",
// "profilecredit"; see merchant.ServiceName), an operation id of the reporting
// contract ("listTransactions"), or "token" for its token endpoint; empty for all.
// With After, the gateway commits the call first and the answer is lost or
// replaced: what an ambiguous failure is.
type Fault = fake.Fault

// Fail queues a fault.
func (s *Server) Fail(f Fault) { s.faults.Add(f) }

// FailWith decides the fault of each validated call (nil for none) before the queued
// ones are looked at: for faults tied to one request, e.g. the first attempt of each
// idempotency key, which a shared queue cannot promise under concurrency. nil removes it.
func (s *Server) FailWith(f func(op string, r *http.Request, body []byte) *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failWith = f
}

// fault is the fault of a call: FailWith's decision, else the next queued one.
func (s *Server) fault(op string, r *http.Request, body []byte) *Fault {
	s.mu.Lock()
	decide := s.failWith
	s.mu.Unlock()
	if decide != nil {
		if f := decide(op, r, body); f != nil {
			return f
		}
	}
	return s.faults.Take(op)
}

// Requests returns the calls received so far.
func (s *Server) Requests() []Request { return s.rec.All() }

// TokensIssued returns how many access tokens the fake issued.
func (s *Server) TokensIssued() int { return s.tokens.Issued() }

// ExpireTokens makes every access token invalid (the next call gets a 401).
func (s *Server) ExpireTokens() { s.tokens.ExpireAll() }

func problem(w http.ResponseWriter, status int, code, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(merchant.Problem{Type: "about:blank", Title: title, Status: status, Detail: detail, Code: code,
		RequestID: fmt.Sprintf("mp-%d", time.Now().UnixNano()%1e9)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body := fakekit.ReadBody(r)
	cn := ""
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		cn = r.TLS.PeerCertificates[0].Subject.CommonName
	}
	s.rec.Add(Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, IdempotencyKey: r.Header.Get("Idempotency-Key"),
		ClientCert: cn, Body: string(body)})
	if r.URL.Path == "/oauth/token" {
		if f := s.faults.Take("token"); f != nil && fakekit.Apply(w, r, f) {
			return
		}
		s.token(w, r)
		return
	}
	route, params, err := s.contract.Match(r)
	if err != nil {
		problem(w, http.StatusNotFound, "not_found", "No such endpoint", r.Method+" "+r.URL.Path)
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		problem(w, http.StatusUnauthorized, "unauthorized", "Missing or expired access token", "")
		return
	}
	if err := fakekit.Validate(r, route, params, body); err != nil {
		problem(w, http.StatusBadRequest, "validation_failed", "The request does not match the contract", err.Error())
		return
	}
	op := route.Operation.OperationID
	f := s.fault(op, r, body)
	fakekit.Serve(w, r, f, func(w http.ResponseWriter) {
		if r.Method == http.MethodPost {
			s.idem.Do(w, r, body, func(w http.ResponseWriter) { s.handle(w, r, op, params, body) })
		} else {
			s.handle(w, r, op, params, body)
		}
		s.hooks.Deliver() // outside the lock, before the answer is complete
	})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.tokens.ServeClientCredentials(w, r, ClientID, ClientSecret, s.now())
}

func (s *Server) authorized(r *http.Request) bool { return s.tokens.Bearer(r, s.now()) }

// Now returns the fake's time.
func (s *Server) Now() time.Time { return s.now() }

// New starts a fake Merchant Partners gateway outside a test (a program, an Example, a tool), with the
// same options as [NewServer]; Close stops it.
func New(opts ...Option) (*Server, error) {
	return fakekit.Start(func(tb testing.TB) *Server { return NewServer(tb, opts...) }, func(s *Server) *fakekit.Life { return &s.life })
}

// Close stops the fake: all of it for one made by [New]; a fake made by [NewServer]
// stops with its test.
func (s *Server) Close() {
	if s.life.Stop() {
		return
	}
	s.Server.Close()
	s.Gateway.Close()
}

package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/dispatchcenter/connectors/internal/redact"
)

// Event is a verified delivery, handed to the [Sink].
type Event struct {
	// Key is the de-duplication key: the signed id, or "sha256:<hex>" of the body.
	Key string
	// Verified is what the verifier vouched for.
	Verified Verified
	// Body holds the exact bytes received.
	Body []byte
	// Header is a copy of the request's headers.
	Header http.Header
	// Received is when the receiver accepted it.
	Received time.Time
}

// Sink takes events durably: when Put returns nil the event must survive a crash
// (a queue, a stream, an outbox table). Put is called with a context that outlives the
// request.
type Sink interface {
	Put(ctx context.Context, ev Event) error
}

// SinkFunc adapts a function to [Sink].
type SinkFunc func(ctx context.Context, ev Event) error

// Put calls f.
func (f SinkFunc) Put(ctx context.Context, ev Event) error { return f(ctx, ev) }

// ChanSink is an in-process [Sink] over a bounded channel; when it is full, Put fails
// with [ErrSinkFull] and the receiver answers 503 (the sender retries later). It is
// not durable: use it in tests or behind a durable consumer.
type ChanSink chan Event

// Put implements [Sink].
func (c ChanSink) Put(ctx context.Context, ev Event) error {
	select {
	case c <- ev:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	default:
		return ErrSinkFull
	}
}

// DefaultMaxBody is the default cap on a delivery's body.
const DefaultMaxBody = 1 << 20

// DefaultDedupTTL covers the retry horizon of common senders (Stripe up to 3 days).
const DefaultDedupTTL = 72 * time.Hour

// ReceiverOptions configure [NewReceiver]; zero values take the defaults noted.
type ReceiverOptions struct {
	// Store de-duplicates; nil uses a bounded in-memory store.
	Store Store
	// MaxBody caps the body (default 1 MiB; larger gets 413).
	MaxBody int64
	// ContentTypes accepted (default application/json; others get 415).
	ContentTypes []string
	// DedupTTL is how long a key is remembered (default 72 h).
	DedupTTL time.Duration
	// Logger receives redacted records of refusals; nil is silent.
	Logger *slog.Logger
	// Now tells the time (default time.Now).
	Now func() time.Time
}

// Receiver is an http.Handler that verifies, de-duplicates and hands off deliveries.
// It is safe for concurrent use.
type Receiver struct {
	verifier Verifier
	sink     Sink
	o        ReceiverOptions
	log      *slog.Logger
}

// NewReceiver returns a receiver; the verifier and the sink are required.
func NewReceiver(v Verifier, sink Sink, o ReceiverOptions) (*Receiver, error) {
	if v == nil || sink == nil {
		return nil, errors.Join(ErrConfig, errors.New("a receiver needs a verifier and a sink"))
	}
	if o.Store == nil {
		o.Store = NewMemoryStore(0, nil)
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if len(o.ContentTypes) == 0 {
		o.ContentTypes = []string{"application/json"}
	}
	if o.DedupTTL <= 0 {
		o.DedupTTL = DefaultDedupTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Receiver{verifier: v, sink: sink, o: o, log: redact.Logger(o.Logger)}, nil
}

// ServeHTTP answers: 405 not POST, 415 wrong content type, 413 body too large, 400
// unreadable or malformed, 401/403 verification refused, 200 for a duplicate (not
// processed again), 503 when the sink refused (retry later), 202 once handed off.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !rc.typeOK(r.Header.Get("Content-Type")) {
		http.Error(w, "unsupported content type", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rc.o.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	v, err := rc.verifier.Verify(r, body)
	if err != nil {
		rc.log.Warn("webhook refused", "path", r.URL.Path, "error", err)
		http.Error(w, http.StatusText(HTTPStatus(err)), HTTPStatus(err))
		return
	}
	key := v.ID
	if key == "" {
		sum := sha256.Sum256(body)
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	// the hand-off outlives the request: the server cancels r.Context() on return
	ctx := context.WithoutCancel(r.Context())
	fresh, err := rc.o.Store.Claim(ctx, key, rc.o.DedupTTL)
	if err != nil {
		rc.log.Error("webhook dedup store failed", "error", err)
		w.Header().Set("Retry-After", "30")
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	}
	if !fresh {
		w.WriteHeader(http.StatusOK) // a duplicate: acknowledged, not processed again
		return
	}
	ev := Event{Key: key, Verified: v, Body: body, Header: r.Header.Clone(), Received: rc.o.Now()}
	if err := rc.sink.Put(ctx, ev); err != nil {
		_ = rc.o.Store.Release(ctx, key) // so the sender's retry is processed
		rc.log.Warn("webhook hand-off refused", "error", err)
		w.Header().Set("Retry-After", "30")
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (rc *Receiver) typeOK(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	for _, want := range rc.o.ContentTypes {
		if mt == want {
			return true
		}
	}
	return false
}

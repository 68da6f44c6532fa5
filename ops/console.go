package ops

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/redact"
	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/resilience"
)

// HealthSource reports each system's health (a connector's Health method gives
// one; a service gathers its systems').
type HealthSource interface {
	Health() map[string]resilience.Health
}

// HealthFunc adapts a function to [HealthSource].
type HealthFunc func() map[string]resilience.Health

// Health calls f.
func (f HealthFunc) Health() map[string]resilience.Health { return f() }

// DeadLetter is one event the consumer gave up on.
type DeadLetter struct {
	// ID identifies it for Replay (a stream sequence, a row id).
	ID string
	// Subject is where it was published.
	Subject string
	// Error is why it was given up on.
	Error string
	// Data is the event as it was published; the console masks its secrets and
	// card numbers before showing it.
	Data []byte
	// At is when it was dead-lettered (zero when unknown).
	At time.Time
}

// DeadLetters is the dead-letter store the console lists and replays from.
type DeadLetters interface {
	DeadLetters(ctx context.Context) ([]DeadLetter, error)
	// Replay publishes the dead letter id again, for the consumer to process.
	Replay(ctx context.Context, id string) error
}

// Config configures a [Console]; Auth is required, every source is optional (its tab
// then says it is not configured).
type Config struct {
	// Auth names the operator of every request.
	Auth Authenticator
	// Health feeds the Health tab.
	Health HealthSource
	// QueueDepth, when set, reports the events waiting for the consumer.
	QueueDepth func(ctx context.Context) (int, error)
	// Jobs feeds the Jobs tab and runs its "run now".
	Jobs *Jobs
	// DeadLetters feeds the Dead letters tab.
	DeadLetters DeadLetters
	// Errors feeds the Errors tab: the records a mapping refused, keyed
	// "system/entity/id" (mapping.FailedRecord).
	Errors mapping.Store
	// Retry maps a stored record again (the service's error-processing step): nil
	// leaves the tab without its reprocess actions.
	Retry func(ctx context.Context, r mapping.FailedRecord) error
	// Mappings feeds the Mappings tab: the mapping files operators edit, in force
	// as soon as an edit compiles and is saved.
	Mappings *mapping.Dir
	// DryRun maps a stored record with an edited mapping not saved yet (m) and
	// returns what it would publish; nil leaves the tab without dry runs.
	DryRun func(ctx context.Context, m *mapping.Mapping, r mapping.FailedRecord) (any, error)
	// Auditor receives one event per mutating action, the operator as its actor.
	Auditor connectors.Auditor
	// Logger receives redacted records of refused requests; nil is silent.
	Logger *slog.Logger
	// Now tells the time (default time.Now).
	Now func() time.Time
}

// Console is the operators' console, an http.Handler that expects to be mounted with
// its prefix stripped (http.StripPrefix("/ops", console)).
type Console struct {
	cfg       Config
	log       *slog.Logger
	mux       *http.ServeMux
	page      *template.Template
	reprocess reprocessing
	passes    sync.WaitGroup
}

// Close waits for a reprocess pass under way to end.
func (c *Console) Close() { c.passes.Wait() }

//go:embed templates/*.html
var templates embed.FS

// New returns a console; it needs an Authenticator.
func New(cfg Config) (*Console, error) {
	if cfg.Auth == nil {
		return nil, errors.New("ops: a console needs an Authenticator")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	page, err := template.New("").Funcs(template.FuncMap{
		"since": func(t time.Time) string { return cfg.Now().Sub(t).Round(time.Second).String() },
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format(time.RFC3339)
		},
		"ms":  func(d time.Duration) string { return d.Round(time.Millisecond).String() },
		"pct": formatPct,
	}).ParseFS(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	c := &Console{cfg: cfg, log: redact.Logger(cfg.Logger), page: page, mux: http.NewServeMux()}
	c.mux.HandleFunc("GET /{$}", c.health)
	c.mux.HandleFunc("GET /jobs", c.jobs)
	c.mux.HandleFunc("POST /jobs/{name}/run", c.runJob)
	c.mux.HandleFunc("GET /dead-letters", c.deadLetters)
	c.mux.HandleFunc("POST /dead-letters/{id}/replay", c.replay)
	c.mux.HandleFunc("POST /dead-letters/replay-all", c.replayAll)
	c.mux.HandleFunc("GET /errors", c.errorsTab)
	c.mux.HandleFunc("GET /error/{key...}", c.errorRecord)
	c.mux.HandleFunc("POST /reprocess/{key...}", c.reprocessOne)
	c.mux.HandleFunc("POST /reprocess-all", c.reprocessAll)
	c.mux.HandleFunc("GET /mappings", c.mappingsTab)
	c.mux.HandleFunc("GET /mapping/{file...}", c.mappingPage)
	c.mux.HandleFunc("POST /mapping/{file...}", c.mappingAction)
	return c, nil
}

// ServeHTTP authenticates the operator, refuses cross-site mutating requests, then
// serves the page.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := http.NewCrossOriginProtection().Check(r); err != nil {
		c.log.Warn("cross-site request refused", "path", r.URL.Path)
		http.Error(w, "cross-site request refused", http.StatusForbidden)
		return
	}
	sessions, _ := c.cfg.Auth.(*Sessions)
	if sessions != nil && r.URL.Path == "/login" && r.Method == http.MethodPost {
		c.login(w, r, sessions)
		return
	}
	who, err := c.cfg.Auth.Operator(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ops", Basic realm="ops"`)
		if sessions == nil {
			http.Error(w, "an operator identity is required", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusUnauthorized) // with the sign-in form
		c.render(w, r, "login.html", map[string]any{"Tab": "login", "Failed": r.URL.Path == "/login"})
		return
	}
	if sessions != nil && r.URL.Path == "/logout" && r.Method == http.MethodPost {
		sessions.logout(w, r)
		c.audit(connectors.WithActor(r.Context(), who), "sign out", nil, nil)
		seeOther(w, c.rel(r, ""))
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	c.mux.ServeHTTP(w, r.WithContext(connectors.WithActor(r.Context(), who)))
}

// login signs an operator in from the form: a session and its cookie, or the form
// again with 401.
func (c *Console) login(w http.ResponseWriter, r *http.Request, s *Sessions) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "unreadable form", http.StatusBadRequest)
		return
	}
	who, ok := s.login(w, r)
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		c.render(w, r, "login.html", map[string]any{"Tab": "login", "Failed": true})
		return
	}
	c.audit(connectors.WithActor(r.Context(), who), "sign in", nil, nil)
	seeOther(w, c.rel(r, ""))
}

func formatPct(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + " %" }

// seeOther answers 303 with a Location relative to the request's URL, as the
// browser resolves it (http.Redirect would resolve it against the path the console
// sees, which lacks the prefix it is mounted under).
func seeOther(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.WriteHeader(http.StatusSeeOther)
}

// audit records a mutating action of the operator in ctx.
func (c *Console) audit(ctx context.Context, op string, summary map[string]string, err error) {
	if c.cfg.Auditor == nil {
		return
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusInternalServerError
	}
	c.cfg.Auditor.Audit(ctx, connectors.AuditEvent{Time: c.cfg.Now(), System: "ops", Operation: op, Actor: connectors.ActorFrom(ctx),
		Summary: summary, StatusCode: status, Err: redact.Error(err), Class: connectors.ClassInternal})
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, name string, data map[string]any) {
	data["Root"] = c.rel(r, "") // links are relative to the console's root: it may be mounted anywhere
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := c.page.ExecuteTemplate(w, name, data); err != nil {
		c.log.Error("rendering the console failed", "page", name, "error", err)
	}
}

type systemRow struct {
	Name string
	H    resilience.Health
}

func (c *Console) health(w http.ResponseWriter, r *http.Request) {
	var rows []systemRow
	if c.cfg.Health != nil {
		for name, h := range c.cfg.Health.Health() {
			rows = append(rows, systemRow{name, h})
		}
		slices.SortFunc(rows, func(a, b systemRow) int { return strings.Compare(a.Name, b.Name) })
	}
	data := map[string]any{"Tab": "health", "Operator": connectors.ActorFrom(r.Context()), "Systems": rows, "Configured": c.cfg.Health != nil}
	if c.cfg.QueueDepth != nil {
		if n, err := c.cfg.QueueDepth(r.Context()); err == nil {
			data["Queue"] = n
		}
	}
	c.render(w, r, "health.html", data)
}

func (c *Console) jobs(w http.ResponseWriter, r *http.Request) {
	var js []JobState
	if c.cfg.Jobs != nil {
		js = c.cfg.Jobs.State()
	}
	c.render(w, r, "jobs.html", map[string]any{"Tab": "jobs", "Operator": connectors.ActorFrom(r.Context()), "Jobs": js, "Configured": c.cfg.Jobs != nil})
}

func (c *Console) runJob(w http.ResponseWriter, r *http.Request) {
	if c.cfg.Jobs == nil {
		http.NotFound(w, r)
		return
	}
	name := r.PathValue("name")
	_, err := c.cfg.Jobs.RunNow(r.Context(), name, connectors.ActorFrom(r.Context()))
	c.audit(r.Context(), "run job", map[string]string{"job": name}, err)
	switch {
	case errors.Is(err, ErrNoJob):
		http.NotFound(w, r)
		return
	case errors.Is(err, ErrRunning):
		http.Error(w, "the job is running", http.StatusConflict)
		return
	}
	seeOther(w, c.rel(r, "jobs")) // the run, failed or not, is on the page
}

type letterRow struct {
	DeadLetter
	Shown string // Data with secrets and card numbers masked
}

func (c *Console) deadLetters(w http.ResponseWriter, r *http.Request) {
	data := map[string]any{"Tab": "dead", "Operator": connectors.ActorFrom(r.Context()), "Configured": c.cfg.DeadLetters != nil}
	if c.cfg.DeadLetters != nil {
		dl, err := c.cfg.DeadLetters.DeadLetters(r.Context())
		if err != nil {
			data["Error"] = redact.Error(err).Error()
		}
		rows := make([]letterRow, 0, len(dl))
		for _, d := range dl {
			rows = append(rows, letterRow{DeadLetter: d, Shown: redact.Text(string(redact.New().JSON(d.Data)))})
		}
		data["Letters"] = rows
	}
	c.render(w, r, "dead.html", data)
}

func (c *Console) replay(w http.ResponseWriter, r *http.Request) {
	if c.cfg.DeadLetters == nil {
		http.NotFound(w, r)
		return
	}
	id := r.PathValue("id")
	err := c.cfg.DeadLetters.Replay(r.Context(), id)
	c.audit(r.Context(), "replay dead letter", map[string]string{"id": id}, err)
	if err != nil {
		http.Error(w, "replay failed: "+redact.Error(err).Error(), http.StatusBadGateway)
		return
	}
	seeOther(w, c.rel(r, "dead-letters"))
}

func (c *Console) replayAll(w http.ResponseWriter, r *http.Request) {
	if c.cfg.DeadLetters == nil {
		http.NotFound(w, r)
		return
	}
	dl, err := c.cfg.DeadLetters.DeadLetters(r.Context())
	n := 0
	for _, d := range dl {
		if err != nil {
			break
		}
		if err = c.cfg.DeadLetters.Replay(r.Context(), d.ID); err == nil {
			n++
		}
	}
	c.audit(r.Context(), "replay all dead letters", map[string]string{"replayed": strconv.Itoa(n)}, err)
	if err != nil {
		http.Error(w, "replay failed: "+redact.Error(err).Error(), http.StatusBadGateway)
		return
	}
	seeOther(w, c.rel(r, "dead-letters"))
}

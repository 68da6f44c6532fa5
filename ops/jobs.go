package ops

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dispatchcenter/connectors/clock"
)

// Kind tells a module's two jobs apart (the operations guide: "each module has two
// scheduled jobs - for regular and error processing").
type Kind string

// The kinds of jobs.
const (
	Regular         Kind = "regular"
	ErrorProcessing Kind = "error-processing"
)

// Schedule says when a job runs next after t.
type Schedule interface {
	Next(t time.Time) time.Time
	String() string
}

// Every runs a job every d (its first run d after the registry starts).
func Every(d time.Duration) Schedule { return every(d) }

type every time.Duration

func (e every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }
func (e every) String() string             { return "every " + time.Duration(e).String() }

// Daily runs a job once a day at the time of day at (UTC), as the integration
// design's batch does.
func Daily(at time.Duration) Schedule { return daily(at) }

type daily time.Duration

func (d daily) Next(t time.Time) time.Time {
	t = t.UTC()
	next := t.Truncate(24 * time.Hour).Add(time.Duration(d))
	if !next.After(t) {
		next = next.Add(24 * time.Hour)
	}
	return next
}

func (d daily) String() string {
	return fmt.Sprintf("daily at %02d:%02d UTC", int(time.Duration(d).Hours())%24, int(time.Duration(d).Minutes())%60)
}

// Job is one scheduled job of a module.
type Job struct {
	// Name identifies the job ("reach-sync").
	Name string
	// Module is the system it belongs to ("reach").
	Module string
	// Kind is Regular or ErrorProcessing.
	Kind Kind
	// Schedule says when it runs; nil runs it only on demand.
	Schedule Schedule
	// Run does the work and says how many records it handled.
	Run func(ctx context.Context) (records int, err error)
	// PingURL, when set, is a healthchecks.io check's ping URL: a run pings
	// PingURL+"/start" as it starts, then PingURL on success or PingURL+"/fail" on
	// failure, so the check fails when the job did not run, hung or failed.
	PingURL string
}

// Run is one run of a job.
type Run struct {
	Start    time.Time
	Duration time.Duration
	Records  int
	// Err is the run's error ("" on success); its text holds no secret (the
	// connectors' errors are redacted).
	Err string
	// By is the operator who ran it now, "" for a scheduled run.
	By string
}

// OK reports whether the run succeeded.
func (r Run) OK() bool { return r.Err == "" }

// JobState is a job with its last runs, newest first.
type JobState struct {
	Job
	Runs    []Run
	Running bool
	// Next is the next scheduled run (zero for a job run only on demand).
	Next time.Time
}

// keepRuns is how many runs of each job are kept.
const keepRuns = 20

// Jobs is the registry of a service's jobs: it runs them on their schedules, on
// demand, pings their checks and keeps their last runs. It is safe for concurrent
// use.
type Jobs struct {
	clk  clock.Clock
	ping *http.Client
	mu   sync.Mutex
	jobs map[string]*jobState
}

type jobState struct {
	job     Job
	runs    []Run
	running bool
	next    time.Time
}

// NewJobs returns an empty registry on clk (clock.Real{} when nil); pings go through
// client (a client with a 10 s timeout when nil).
func NewJobs(clk clock.Clock, client *http.Client) *Jobs {
	if clk == nil {
		clk = clock.Real{}
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Jobs{clk: clk, ping: client, jobs: map[string]*jobState{}}
}

// Register adds a job; a name registered twice is an error.
func (j *Jobs) Register(job Job) error {
	if job.Name == "" || job.Run == nil {
		return errors.New("ops: a job needs a name and a Run function")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, dup := j.jobs[job.Name]; dup {
		return fmt.Errorf("ops: job %q registered twice", job.Name)
	}
	j.jobs[job.Name] = &jobState{job: job}
	return nil
}

// ErrNoJob is returned for a job name not registered.
var ErrNoJob = errors.New("ops: no such job")

// ErrRunning is returned when a job asked to run is running already.
var ErrRunning = errors.New("ops: the job is running")

// RunNow runs the job name now, on the caller's goroutine, as the operator by ("" for
// a scheduled run), and returns its run.
func (j *Jobs) RunNow(ctx context.Context, name, by string) (Run, error) {
	j.mu.Lock()
	st, ok := j.jobs[name]
	switch {
	case !ok:
		j.mu.Unlock()
		return Run{}, fmt.Errorf("%w: %q", ErrNoJob, name)
	case st.running:
		j.mu.Unlock()
		return Run{}, fmt.Errorf("%w: %q", ErrRunning, name)
	}
	st.running = true
	job := st.job
	j.mu.Unlock()

	j.pingCheck(ctx, job.PingURL, "/start")
	start := j.clk.Now()
	n, err := job.Run(ctx)
	run := Run{Start: start, Duration: j.clk.Now().Sub(start), Records: n, By: by}
	if err != nil {
		run.Err = err.Error()
		j.pingCheck(ctx, job.PingURL, "/fail")
	} else {
		j.pingCheck(ctx, job.PingURL, "")
	}
	j.mu.Lock()
	st.running = false
	st.runs = slices.Insert(st.runs, 0, run)
	if len(st.runs) > keepRuns {
		st.runs = st.runs[:keepRuns]
	}
	j.mu.Unlock()
	if err != nil {
		return run, fmt.Errorf("job %s: %w", name, err)
	}
	return run, nil
}

// pingCheck pings a healthchecks.io-compatible URL; a ping that fails is not the
// job's failure (the check then reports the job late, which is what it is for).
func (j *Jobs) pingCheck(ctx context.Context, url, suffix string) {
	if url == "" {
		return
	}
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, strings.TrimRight(url, "/")+suffix, nil)
	if err != nil {
		return
	}
	resp, err := j.ping.Do(req)
	if err == nil {
		_ = resp.Body.Close()
	}
}

// State returns every job with its last runs, by module, then name.
func (j *Jobs) State() []JobState {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]JobState, 0, len(j.jobs))
	for _, st := range j.jobs {
		out = append(out, JobState{Job: st.job, Runs: slices.Clone(st.runs), Running: st.running, Next: st.next})
	}
	slices.SortFunc(out, func(a, b JobState) int {
		if c := strings.Compare(a.Module, b.Module); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// Start runs every scheduled job on its schedule until ctx ends or the returned
// stop is called (which waits for runs under way). A run still going when its next
// time comes is not started twice.
func (j *Jobs) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	j.mu.Lock()
	for name, st := range j.jobs {
		if st.job.Schedule == nil {
			continue
		}
		sched := st.job.Schedule
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next := sched.Next(j.clk.Now())
				j.mu.Lock()
				j.jobs[name].next = next
				j.mu.Unlock()
				if j.clk.Sleep(ctx, next.Sub(j.clk.Now())) != nil {
					return
				}
				_, _ = j.RunNow(ctx, name, "")
			}
		}()
	}
	j.mu.Unlock()
	return func() { cancel(); wg.Wait() }
}

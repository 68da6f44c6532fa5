package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/examples/dispatch/app"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/maddenco"
	"github.com/dispatchcenter/connectors/merchant"
	"github.com/dispatchcenter/connectors/reach"
	"github.com/dispatchcenter/connectors/treadnet"
	"github.com/dispatchcenter/connectors/webhook"
)

func main() {
	demo := flag.Bool("demo", false, "play one dispatch story against the fakes, print the timeline and exit")
	natsURL := flag.String("nats-url", os.Getenv("NATS_URL"), "an existing NATS cluster (default: an embedded JetStream server)")
	addr := flag.String("addr", "127.0.0.1:8080", "HTTP address for webhooks, /healthz, /readyz and /metrics")
	dead := flag.Bool("dead-letters", false, "list the dead letters and exit")
	replay := flag.Bool("replay", false, "with -dead-letters: publish them again")
	job := flag.String("job", "", "run one daily job now (dayforce-employees, reach-sync, maddenco-changes) and exit")
	state := flag.String("state", "", "directory for feed tokens and job checkpoints (default: a temporary one)")
	store := flag.String("store", os.Getenv("DISPATCH_STORE_DIR"), "the embedded JetStream store, reused on restart (default: $XDG_STATE_HOME/dispatch/jetstream, else ~/.local/state/dispatch/jetstream; -demo: a temporary one)")
	flag.Parse()
	if *store == "" && !*demo {
		*store = defaultStore()
	}
	if err := run(*demo, *natsURL, *addr, *dead, *replay, *job, *state, *store); err != nil {
		fmt.Fprintln(os.Stderr, "dispatch:", err)
		os.Exit(1)
	}
}

// defaultStore is where the embedded JetStream store lives by default: the XDG base
// directory for state that persists between restarts of an application.
func defaultStore() string {
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return filepath.Join(os.TempDir(), "dispatch", "jetstream")
		}
		base = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(base, "dispatch", "jetstream")
}

func run(demo bool, natsURL, addr string, dead, replay bool, job, state, store string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logLevel := slog.LevelInfo
	if demo {
		logLevel = slog.LevelError // the timeline tells the story
		addr = "127.0.0.1:0"
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel}))
	tl := app.NewTimeline(os.Stdout)
	fakes, err := app.StartFakes()
	if err != nil {
		return err
	}
	defer fakes.Stop()
	// traces: to an OTLP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set (the
	// exporter reads the OTEL_EXPORTER_OTLP_* variables), as JSON on stdout with
	// OTEL_TRACES_EXPORTER=console (the variable's value for the stdout exporter),
	// and for the demo to memory, printed as a tree at its end
	var tpOpts []sdktrace.TracerProviderOption
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" {
		exp, err := otlptracehttp.New(ctx)
		if err != nil {
			return err
		}
		tpOpts = append(tpOpts, sdktrace.WithBatcher(exp))
	}
	if os.Getenv("OTEL_TRACES_EXPORTER") == "console" {
		exp, err := stdouttrace.New(stdouttrace.WithPrettyPrint())
		if err != nil {
			return err
		}
		tpOpts = append(tpOpts, sdktrace.WithBatcher(exp))
	}
	rec := tracetest.NewSpanRecorder()
	if demo {
		tpOpts = append(tpOpts, sdktrace.WithSpanProcessor(rec))
	}
	cfg := app.Config{NATSURL: natsURL, Addr: addr, Logger: logger, Step: tl.Step, StateDir: state, StoreDir: store, Systems: systemsFromEnv(),
		HealthchecksURL: os.Getenv("DISPATCH_HEALTHCHECKS_URL")}
	if d, err := time.ParseDuration(os.Getenv("DISPATCH_ERROR_JOB_EVERY")); err == nil {
		cfg.ErrorJobEvery = d
	}
	if tok := os.Getenv("DISPATCH_OPS_TOKEN"); tok != "" {
		cfg.OpsTokens = map[string]string{tok: "operator"}
	}
	// operators with their identity provider's ID tokens: its issuer, the console's
	// client ID (the tokens' audience) and the provider's jwks_uri
	if iss := os.Getenv("DISPATCH_OIDC_ISSUER"); iss != "" {
		if cfg.OpsIDTokens, err = webhook.NewBearer(webhook.BearerOptions{Issuer: iss,
			Audience: os.Getenv("DISPATCH_OIDC_CLIENT_ID"), JWKSURL: os.Getenv("DISPATCH_OIDC_JWKS_URL")}); err != nil {
			return fmt.Errorf("DISPATCH_OIDC_*: %w", err)
		}
	}
	if len(tpOpts) > 0 {
		tp := sdktrace.NewTracerProvider(tpOpts...)
		defer func() { _ = tp.Shutdown(context.Background()) }()
		cfg.TracerProvider = tp
	}
	svc, err := app.New(ctx, cfg, fakes)
	if err != nil {
		return err
	}
	defer svc.Close()
	switch {
	case job != "":
		return svc.RunJob(ctx, job)
	case dead:
		dl, err := svc.Bus().DeadLetters(ctx)
		if err != nil {
			return err
		}
		for _, d := range dl {
			fmt.Printf("%d %s: %s\n", d.Seq, d.Subject, d.Error)
			if replay {
				if err := svc.Bus().Replay(ctx, d); err != nil {
					return err
				}
			}
		}
		return nil
	case demo:
		if err := svc.Demo(ctx); err != nil {
			return err
		}
		app.PrintTrace(os.Stdout, rec.Ended())
		return nil
	}
	logger.Info("dispatch service up", "http", svc.URL, "traps", svc.TrapAddr, "store", store)
	// the last line of the start-up: where operators open the console (the token is
	// in a file only this user can read, never in the output)
	where := "the operator token in " + svc.OpsTokenFile
	if svc.OpsTokenFile == "" {
		where = "DISPATCH_OPS_TOKEN"
	}
	fmt.Printf("operators' console: %s/ops/ (sign in with %s; the dispatch screen is at %s/live/)\n", svc.URL, where, svc.URL)
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		if err := svc.SyncReach(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("reach sync failed", "error", err)
		}
		select {
		case <-ctx.Done():
			logger.Info("shutting down: draining the consumer")
			return nil
		case <-tick.C:
		}
	}
}

// systemsFromEnv points connectors at real systems when their variables are set
// (each system's fake serves otherwise): REACH_BASE_URL, REACH_CLIENT_ID,
// REACH_CLIENT_SECRET; GEOTAB_DATABASE, GEOTAB_USER, GEOTAB_PASSWORD;
// DAYFORCE_NAMESPACE, DAYFORCE_USER, DAYFORCE_PASSWORD; MADDENCO_BASE_URL,
// MADDENCO_API_KEY; TREADNET_BASE_URL, TREADNET_CERT_FILE, TREADNET_KEY_FILE,
// TREADNET_CA_FILE; MERCHANT_ACCOUNT_ID, MERCHANT_SUB_ID, MERCHANT_PIN (the XML
// interface), MERCHANT_REPORTS_URL, MERCHANT_CLIENT_ID, MERCHANT_CLIENT_SECRET,
// MERCHANT_CERT_FILE, MERCHANT_KEY_FILE (the reporting contract).
func systemsFromEnv() app.Systems {
	e := os.Getenv
	return app.Systems{
		Reach:    reach.Config{BaseURL: e("REACH_BASE_URL"), ClientID: e("REACH_CLIENT_ID"), ClientSecret: e("REACH_CLIENT_SECRET")},
		Geotab:   geotab.Config{Database: e("GEOTAB_DATABASE"), UserName: e("GEOTAB_USER"), Password: e("GEOTAB_PASSWORD")},
		Dayforce: dayforce.Config{Namespace: e("DAYFORCE_NAMESPACE"), Username: e("DAYFORCE_USER"), Password: e("DAYFORCE_PASSWORD")},
		Maddenco: maddenco.Config{BaseURL: e("MADDENCO_BASE_URL"), APIKey: e("MADDENCO_API_KEY")},
		Treadnet: treadnet.Config{BaseURL: e("TREADNET_BASE_URL"), TLS: connectors.MutualTLS{CertFile: e("TREADNET_CERT_FILE"),
			KeyFile: e("TREADNET_KEY_FILE"), RootCAFile: e("TREADNET_CA_FILE")}},
		Merchant: merchant.Config{AccountID: e("MERCHANT_ACCOUNT_ID"), SubID: e("MERCHANT_SUB_ID"), MerchantPIN: e("MERCHANT_PIN"),
			BaseURL: e("MERCHANT_REPORTS_URL"), ClientID: e("MERCHANT_CLIENT_ID"), ClientSecret: e("MERCHANT_CLIENT_SECRET"),
			TLS: connectors.MutualTLS{CertFile: e("MERCHANT_CERT_FILE"), KeyFile: e("MERCHANT_KEY_FILE")}},
	}
}

package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dispatchcenter/connectors/examples/dispatch/app"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
	"github.com/dispatchcenter/connectors/reach/reachtest"
)

func main() {
	dir := flag.String("dir", "fake-tls", "folder the TLS material is written to")
	admin := flag.String("admin", "127.0.0.1:7070", "admin endpoint address (faults, request counts)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *admin)
	if err == nil {
		err = serve(ctx, *dir, ln, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeserver:", err)
		os.Exit(1)
	}
}

// serve runs the fakes, and the admin endpoint on ln, until ctx ends; it closes ln.
func serve(ctx context.Context, dir string, ln net.Listener, out io.Writer) error {
	defer ln.Close()
	admin := ln.Addr().String()
	f, err := app.StartFakes()
	if err != nil {
		return err
	}
	defer f.Stop()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	mcfg, tcfg := f.Merchant.Config(), f.Treadnet.Config()
	ca := func(c *x509.Certificate) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	files := map[string][]byte{
		"reach-ca.pem": ca(f.Reach.Certificate()), "geotab-ca.pem": ca(f.Geotab.Certificate()),
		"dayforce-ca.pem": ca(f.Dayforce.Generic.Certificate()), "maddenco-ca.pem": ca(f.Maddenco.Certificate()),
		"merchant-ca.pem": mcfg.TLS.RootCAPEM, "merchant-client.pem": mcfg.TLS.CertPEM, "merchant-client-key.pem": mcfg.TLS.KeyPEM,
		"treadnet-ca.pem": tcfg.TLS.RootCAPEM, "treadnet-client.pem": tcfg.TLS.CertPEM, "treadnet-client-key.pem": tcfg.TLS.KeyPEM,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return err
		}
	}
	rc, dc, gc, mc := f.Reach.Config(), f.Dayforce.Config(), f.Geotab.Config(), f.Maddenco.Config()
	fmt.Fprintf(out, "reach     %s  OAuth client %s / %s (token URL %s/oauth/token); CA %s/reach-ca.pem\n", rc.BaseURL, rc.ClientID, rc.ClientSecret, rc.BaseURL, dir)
	fmt.Fprintf(out, "dayforce  %s  company %s, user %s / %s (token URL %s); CA %s/dayforce-ca.pem\n", dc.BaseURL, dc.Namespace, dc.Username, dc.Password, dc.TokenURL, dir)
	fmt.Fprintf(out, "geotab    %s  database %s, user %s / %s (JSON-RPC at /apiv1); CA %s/geotab-ca.pem\n", f.Geotab.URL, gc.Database, gc.UserName, gc.Password, dir)
	fmt.Fprintf(out, "maddenco  %s  X-API-Key %s; CA %s/maddenco-ca.pem\n", mc.BaseURL, mc.APIKey, dir)
	fmt.Fprintf(out, "treadnet  %s  mutual TLS: %s/treadnet-client.pem, -key.pem, CA treadnet-ca.pem\n", tcfg.BaseURL, dir)
	fmt.Fprintf(out, "merchant  %s  OAuth client %s / %s over mutual TLS: %s/merchant-client.pem, -key.pem, CA merchant-ca.pem\n",
		mcfg.BaseURL, mcfg.ClientID, mcfg.ClientSecret, dir)
	fmt.Fprintf(out, "admin     http://%s  POST /faults/{system} (a fault as JSON), GET /requests/{system}\n", admin)

	faults := map[string]func(json.RawMessage) error{
		"reach": kit(f.Reach.Fail), "dayforce": kit(f.Dayforce.Fail), "maddenco": kit(f.Maddenco.Fail), "treadnet": kit(f.Treadnet.Fail),
		"merchant": kit(f.Merchant.Fail),
		"geotab": func(b json.RawMessage) error { // MyGeotab's faults have their own shape (exceptions)
			var ft geotabtest.Fault
			if err := json.Unmarshal(b, &ft); err != nil {
				return err
			}
			f.Geotab.Fail(ft)
			return nil
		},
	}
	counts := map[string]func() int{
		"reach": func() int { return len(f.Reach.Requests()) }, "dayforce": func() int { return len(f.Dayforce.Requests()) },
		"geotab": func() int { return len(f.Geotab.Requests()) }, "maddenco": func() int { return len(f.Maddenco.Requests()) },
		"treadnet": func() int { return len(f.Treadnet.Requests()) }, "merchant": func() int { return len(f.Merchant.Requests()) },
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /faults/{system}", func(w http.ResponseWriter, r *http.Request) {
		fail, ok := faults[r.PathValue("system")]
		if !ok {
			http.Error(w, "no such system", http.StatusNotFound)
			return
		}
		b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil {
			err = fail(b)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /requests/{system}", func(w http.ResponseWriter, r *http.Request) {
		n, ok := counts[r.PathValue("system")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]int{"requests": n()})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// kit decodes a fault for a fake's Fail: reach, dayforce, maddenco, treadnet and
// merchant share one Fault shape (reachtest.Fault is the others' too).
func kit(fail func(reachtest.Fault)) func(json.RawMessage) error {
	return func(b json.RawMessage) error {
		var ft reachtest.Fault
		if err := json.Unmarshal(b, &ft); err != nil {
			return err
		}
		fail(ft)
		return nil
	}
}

package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dispatchcenter/connectors/examples/dispatch/app"
	"github.com/dispatchcenter/connectors/mapping/canonical"
	"github.com/dispatchcenter/connectors/reach"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/nats-io/nats-server/v2/server.(*Server).Start.func1"))
}

// chromium finds the browser: CHROME_PATH, else Debian's chromium on the PATH.
func chromium() (string, error) {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium, chromium-browser or google-chrome on the PATH and CHROME_PATH unset (Debian: apt-get install chromium)")
}

// browser starts headless Chromium with the flags this closed network needs (no
// background connections, no component updates, no QUIC), on an empty profile, and
// fails the test on any exception a page throws.
func browser(t *testing.T, ctx context.Context) context.Context {
	exe, err := chromium()
	if err != nil {
		t.Skip("no browser to drive: " + err.Error())
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	require.NoError(t, chromedp.Do(bctx), "starting %s", exe)
	require.NoError(t, chromedp.Listen(bctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			t.Errorf("the page threw: %s %s", e.ExceptionDetails.Text, e.ExceptionDetails.URL)
		}
	}))
	return bctx
}

// eventually polls cond every 50 ms until it holds; after limit it fails the test.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, limit)
		}
		<-tick.C
	}
}

// TestOperatorInBrowser is the operations guide's day in a real browser, after
// the demo story: the Errors tab shows the record the reach-event mapping refused,
// a dry run and then a save in the Mappings tab fix the mapping, reprocessing
// publishes the record and empties the tab; a dead letter is replayed; a vehicle
// moves on the live screen. Every tab is photographed (see the package doc).
func TestOperatorInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	b := browser(t, ctx)

	fakes, err := app.StartFakes()
	require.NoError(t, err)
	defer fakes.Stop()
	svc, err := app.New(ctx, app.Config{Addr: "127.0.0.1:0", StateDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ErrorJobEvery: time.Hour}, fakes)
	require.NoError(t, err)
	defer svc.Close()
	require.NoError(t, svc.Demo(ctx), "the demo story")
	jobs := svc.Jobs()
	require.Len(t, jobs, 1)
	sr, vehicle := jobs[0].SR, jobs[0].Vehicle
	tok, err := os.ReadFile(svc.OpsTokenFile)
	require.NoError(t, err)
	token := strings.TrimSpace(string(tok))

	shots := t.ArtifactDir()
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		})
	}
	// follow clicks what sel selects and waits for the page it loads
	follow := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))(ctx, tg)
			return err
		})
	}
	// do runs steps; text reads the text of the first element sel selects
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(b, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			_ = chromedp.Do(b, shot("failed"))
			page, _ := chromedp.Run(b, chromedp.OuterHTML(`html`))
			t.Fatalf("%s: %v; the page (photographed as failed.png):\n%s", what, err, page)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, "the text of %s", sel)
		return s
	}
	ops := svc.URL + "/ops/"

	// sign in: the console asks for an operator before anything else
	do("signing in", chromedp.Navigate(ops), chromedp.WaitVisible(chromedp.CSS(`input[name=token]`)), shot("00-sign-in"),
		chromedp.SendKeys(chromedp.CSS(`input[name=token]`), token), follow(`form button`), chromedp.WaitVisible(chromedp.CSS(`nav`)), shot("01-health"))
	shown := text(`main`)
	for _, system := range []string{"reach", "geotab", "maddenco", "treadnet", "dayforce", "merchant"} {
		assert.Contains(t, shown, system, "the Health tab lists every system")
	}
	do("the Jobs tab", follow(`nav a[href$="jobs"]`), chromedp.WaitVisible(chromedp.CSS(`nav a.on[href$="jobs"]`)), shot("02-jobs"))
	assert.Contains(t, text(`main`), "reach-errors", "each module's error-processing job is registered")

	// the Errors tab: the record the mapping refused, with what fixes it
	do("the Errors tab", follow(`nav a[href$="errors"]`), chromedp.WaitVisible(chromedp.CSS(`nav a.on[href$="errors"]`)), shot("03-errors"))
	shown = text(`table`)
	assert.Contains(t, shown, "reach/service_request/", "the refused Reach event is listed")
	assert.Contains(t, shown, "unknown_lookup_value")
	assert.Contains(t, shown, "Add the value to the mapping's lookup table", "with the action that fixes it")
	do("the record", follow(`table a[href*="error/reach/"]`), chromedp.WaitVisible(chromedp.CSS(`form[action*="reprocess/reach/"]`)), shot("04-error-record"))
	shown = text(`main`)
	assert.Contains(t, shown, "critical", "the value at fault is shown")
	assert.Contains(t, shown, sr.ID)
	assert.NotContains(t, shown, token)

	// the Mappings tab: a dry run of the edit on the stored record, then the save
	do("the Mappings tab", follow(`nav a[href$="mappings"]`), chromedp.WaitVisible(chromedp.CSS(`nav a.on[href$="mappings"]`)), shot("05-mappings"),
		follow(`a[href$="mapping/reach-event.yaml"]`), chromedp.WaitVisible(chromedp.CSS(`textarea[name=text]`)))
	yaml, err := chromedp.Run(b, chromedp.Value(chromedp.CSS(`textarea[name=text]`)))
	require.NoError(t, err)
	const known = "low: low}"
	require.Contains(t, yaml, known, "the lookup of the priorities")
	fixed := strings.Replace(yaml, known, "low: low, critical: emergency}", 1)
	do("a dry run of the edit", chromedp.SetValue(chromedp.CSS(`textarea[name=text]`), fixed), follow(`button[value=dryrun]`),
		chromedp.WaitVisible(chromedp.CSS(`#dry`)), shot("06-mapping-dry-run"))
	assert.Contains(t, text(`#dry`), `"priority":"emergency"`, "the dry run maps the record with the edit")
	do("saving the edit", chromedp.SetValue(chromedp.CSS(`textarea[name=text]`), fixed), follow(`button[value=save]`),
		chromedp.WaitVisible(chromedp.CSS(`#saved`)), shot("07-mapping-saved"))
	assert.Contains(t, text(`main`), "critical: emergency}", "the change is recorded with its diff")

	// reprocess the record: the tab empties and the event is published
	do("reprocessing", follow(`nav a[href$="errors"]`), chromedp.WaitVisible(chromedp.CSS(`nav a.on[href$="errors"]`)),
		follow(`table form[action*="reprocess/reach/"] button`), chromedp.WaitNotPresent(chromedp.CSS(`table form[action*="reprocess/"]`)),
		shot("08-errors-after-reprocess"))
	assert.Contains(t, text(`table`), "None.")
	data, typ, err := svc.Bus().Last(ctx, "dispatch.reach.service_request")
	require.NoError(t, err)
	var published canonical.ServiceRequest
	require.NoError(t, json.Unmarshal(data, &published))
	assert.Equal(t, "emergency.alert", typ)
	assert.Equal(t, sr.ID, published.ID)
	assert.Equal(t, canonical.PriorityEmergency, published.Priority, "mapped with the operator's edit")

	// the Dead letters tab: the demo's poison message, replayed; it fails again
	// (nothing can read it) and comes back as a new dead letter
	dead, err := svc.Bus().DeadLetters(ctx)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	first := fmt.Sprintf("#dl-%d", dead[0].Seq)
	do("the Dead letters tab", follow(`nav a[href$="dead-letters"]`), chromedp.WaitVisible(chromedp.CSS(first)), shot("09-dead-letters"),
		follow(first+` button`), chromedp.WaitNotPresent(chromedp.CSS(first)))
	eventually(t, time.Minute, "the replayed poison message dead-lettered again", func() bool {
		dl, err := svc.Bus().DeadLetters(ctx)
		return err == nil && len(dl) == 1 && dl[0].Seq != dead[0].Seq
	})
	dead, err = svc.Bus().DeadLetters(ctx)
	require.NoError(t, err)
	do("the dead letter again", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#dl-%d", dead[0].Seq))), shot("10-dead-letters-replayed"))

	// the live screen: it opens on the current state (the demo's job and vehicle);
	// a new job's site appears where its assignment puts it; the vehicle drives 3 km
	// south and its dot follows
	do("the live screen", chromedp.Navigate(svc.URL+"/live/"), chromedp.WaitVisible(chromedp.CSS(`#map`)))
	_, err = chromedp.Run(b, chromedp.Poll[bool](`document.getElementById("state").textContent === "live"`, chromedp.WithPollingTimeout(30*time.Second)))
	require.NoError(t, err, "the live screen connects to the feed")
	_, err = chromedp.Run(b, chromedp.Poll[bool](`document.getElementById("site-`+jobs[0].Zone+`")?.nextSibling?.textContent === "`+sr.ID+`" &&
		document.getElementById("vehicle-`+vehicle+`") !== null`, chromedp.WithPollingTimeout(30*time.Second)))
	require.NoError(t, err, "a screen that opens starts from the current state: the demo's job and its vehicle")
	// a new request while the screen is open: its site appears where its
	// assignment puts it
	rc, err := reach.New(fakes.Reach.Config(), reach.WithHTTPClient(fakes.Reach.Client()))
	require.NoError(t, err)
	next, err := rc.CreateServiceRequest(ctx, reach.NewServiceRequest{CustomerID: "C00002", Description: "a door that will not lock",
		Priority: reach.PriorityHigh, Category: "hvac", Site: reach.Address{Line1: "1 Front Street", City: "Toronto", Region: "south",
			PostalCode: "M5J 2X5", Country: "CA", Latitude: jobs[0].Site.Latitude - 0.05, Longitude: jobs[0].Site.Longitude + 0.05}})
	require.NoError(t, err)
	require.NoError(t, svc.SyncReach(ctx))
	var assigned app.Job
	eventually(t, time.Minute, "the new request dispatched", func() bool {
		for _, j := range svc.Jobs() {
			if j.SR.ID == next.ID {
				assigned = j
				return true
			}
		}
		return false
	})
	_, err = chromedp.Run(b, chromedp.Poll[bool](`document.getElementById("site-`+assigned.Zone+`")?.nextSibling?.textContent === "`+next.ID+`"`,
		chromedp.WithPollingTimeout(30*time.Second)))
	require.NoError(t, err, "the new job's site is drawn from its assignment, labelled with its request")
	site := jobs[0].Site
	require.True(t, fakes.Geotab.Visit(vehicle, site.Latitude-0.03, site.Longitude, time.Hour))
	dot := "#vehicle-" + vehicle
	var lats []string
	eventually(t, 2*time.Minute, "the vehicle moving on the live screen", func() bool {
		fakes.Geotab.Advance(time.Minute) // the fleet's clock: a minute per look
		lat, err := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector("`+dot+`")?.dataset.lat ?? ""`))
		if err != nil || lat == "" {
			return false
		}
		if len(lats) == 0 || lats[len(lats)-1] != lat {
			lats = append(lats, lat)
		}
		return len(lats) >= 3
	})
	do("the live screen moved", shot("11-live"))
	cy, err := chromedp.Run(b, chromedp.AttributeValue(chromedp.CSS(dot), "cy"))
	require.NoError(t, err)
	assert.True(t, cy.Exists, "the vehicle is drawn where its coordinates put it")
	t.Logf("the vehicle's latitudes on the screen: %v; screenshots in %s", lats, shots)
}

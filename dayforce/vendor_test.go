package dayforce_test

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/dayforce"
	"github.com/dispatchcenter/connectors/dayforce/dayforcetest"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
)

// vendorSpec is a verbatim subset of Dayforce's own OpenAPI document (the paths this
// package calls and what they reference; see testdata/vendor).
//
//go:embed testdata/vendor/dayforce-openapi.yaml
var vendorSpec []byte

// localDateTime accepts the dates Dayforce documents and sends: ISO 8601 with or
// without a UTC offset ("2017-01-01T13:24:56").
var localDateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$`)

// vendorRouter loads the vendor's document, with its date-time formats relaxed to
// offset-less local times, as Dayforce documents them.
func vendorRouter(t *testing.T) routers.Router {
	t.Helper()
	openapi3.DefineStringFormatValidator("vendor-date-time", openapi3.NewRegexpFormatValidator(localDateTime.String()))
	doc, err := openapi3.NewLoader().LoadFromData(vendorSpec)
	require.NoError(t, err)
	fakekit.ReplaceFormat(doc, "date-time", "vendor-date-time")
	doc.Servers = openapi3.Servers{{URL: "/Api"}}
	r, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return r
}

// vendorProxy validates every call to Dayforce's API and its answer against the
// vendor's document, and keeps what it found.
type vendorProxy struct {
	next   http.RoundTripper
	router routers.Router
	mu     sync.Mutex
	seen   map[string]int // operation id → calls
	faults []string
}

func (p *vendorProxy) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(r.URL.Path, "/Api/") { // the identity service is not in the document
		return p.next.RoundTrip(r)
	}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	// the router matches the document's relative server ("/Api") against the path
	rr := r.Clone(r.Context())
	rr.URL = &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	rr.Host = ""
	route, params, err := p.router.FindRoute(rr)
	if err != nil {
		p.fault("%s %s: not in the vendor's document: %v", r.Method, r.URL.Path, err)
		return p.next.RoundTrip(r)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		p.fault("request %s %s: %v", r.Method, r.URL.Path, err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := p.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	p.mu.Lock()
	p.seen[route.Operation.OperationID]++
	p.mu.Unlock()
	switch {
	case len(bytes.TrimSpace(b)) == 0 && resp.StatusCode == http.StatusOK && r.Method != http.MethodGet:
		return resp, nil // a write's 200 without a body, as public integrations document it
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		// the generic host's redirect to the client host: Dayforce's developer guide
		// documents it ("automatically redirected to the proper URL"), its OpenAPI
		// document does not
		return resp, nil
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: opts}
	out.SetBodyBytes(b)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		p.fault("answer %d to %s %s: %v", resp.StatusCode, r.Method, r.URL.Path, err)
	}
	return resp, nil
}

func (p *vendorProxy) fault(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, fmt.Sprintf(format, a...))
}

// TestAgainstTheVendorsDocument runs the package's reads and writes against the fake
// through a proxy that validates each request and answer against Dayforce's own
// OpenAPI document (not the package's contract): the fake gives no answer the
// vendor's document forbids, and the client sends no request it does not describe.
func TestAgainstTheVendorsDocument(t *testing.T) {
	router := vendorRouter(t)
	for _, payload := range []bool{false, true} {
		t.Run(fmt.Sprintf("punch payload %v", payload), func(t *testing.T) {
			var opts []dayforcetest.Option
			if payload {
				opts = append(opts, dayforcetest.WithPunchPayload())
			}
			srv := dayforcetest.NewServer(t, append(opts, dayforcetest.WithEmployees(20))...)
			tr := http.DefaultTransport.(*http.Transport).Clone()
			t.Cleanup(tr.CloseIdleConnections)
			px := &vendorProxy{next: tr, router: router, seen: map[string]int{}}
			c := newClient(t, srv, nil, dayforce.WithHTTPClient(&http.Client{Transport: px}))
			exercise(t, c, srv)
			assert.Empty(t, px.faults)
			assert.GreaterOrEqual(t, len(px.seen), 17, "every operation the package calls went through: %v", px.seen)
		})
	}
}

// exercise calls every operation of the package once or more, errors included.
func exercise(t *testing.T, c *dayforce.Client, srv *dayforcetest.Server) {
	t.Helper()
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	_, err := c.ServiceURI(ctx)
	require.NoError(t, err)
	ids, err := c.Employees(ctx, dayforce.EmployeeFilter{})
	require.NoError(t, err)
	require.NotEmpty(t, ids.Data)
	_, err = c.Employee(ctx, "E0003", dayforce.EmployeeOptions{})
	require.NoError(t, err)
	_, err = c.Employee(ctx, "E9999", dayforce.EmployeeOptions{})
	require.Error(t, err, "an unknown employee: Dayforce's 400")
	_, err = c.WorkAssignments(ctx, "E0003", time.Time{})
	require.NoError(t, err)
	skills, err := c.EmployeeSkills(ctx, "E0003", time.Time{})
	require.NoError(t, err)
	require.NotEmpty(t, skills.Data)
	_, err = c.EmployeeCertifications(ctx, "E0003", time.Time{})
	require.NoError(t, err)
	_, err = c.EmployeeSchedules(ctx, "E0003", day, day.AddDate(0, 0, 7), dayforce.ScheduleOptions{Expand: []string{"Activities"}})
	require.NoError(t, err)
	collect(t, c.Schedules(ctx, dayforce.ScheduleFilter{From: day, To: day.AddDate(0, 0, 7), PageSize: 30}))
	collect(t, c.ScheduleChanges(ctx, "BRANCH_NORTH", day, dayforce.ScheduleChangeOptions{SchedulePostedOption: dayforce.PostedOnly}))
	_, err = c.Availability(ctx, "E0003", day, day.AddDate(0, 0, 6))
	require.NoError(t, err)
	_, err = c.TimeAway(ctx, "E0010", day, day.AddDate(0, 0, 14), "")
	require.NoError(t, err)
	collect(t, c.Skills(ctx, dayforce.CatalogFilter{PageSize: 4}))
	collect(t, c.Certifications(ctx, dayforce.CatalogFilter{}))
	badge := srv.Badge("E0005")
	at := time.Date(2026, 1, 6, 8, 0, 0, 0, time.FixedZone("EST", -5*3600))
	_, err = c.PostPunch(ctx, dayforce.Punch{Badge: badge, Time: at, Type: dayforce.PunchIn}, dayforce.WriteOptions{})
	require.NoError(t, err)
	_, err = c.PostPunch(ctx, dayforce.Punch{Badge: badge, Time: at.Add(time.Hour), Type: dayforce.PunchOut}, dayforce.WriteOptions{ValidateOnly: true})
	require.NoError(t, err)
	_, err = c.PostPunch(ctx, dayforce.Punch{Badge: "NO-SUCH-BADGE", Time: at, Type: dayforce.PunchIn}, dayforce.WriteOptions{})
	require.Error(t, err)
	collect(t, c.RawPunches(ctx, dayforce.PunchFilter{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)}))
	collect(t, c.ProcessedPunches(ctx, dayforce.ProcessedPunchFilter{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)}))
	_, err = c.OrgUnits(ctx)
	require.NoError(t, err)
	_, err = c.OrgUnit(ctx, "BRANCH_NORTH", dayforce.OrgUnitOptions{Children: true})
	require.NoError(t, err)
	_, err = c.UpdateEmployeeSkill(ctx, "E0003", dayforce.EmployeeSkill{Skill: dayforce.Skill{XRefCode: skills.Data[0].Skill.XRefCode},
		SkillLevel: dayforce.SkillLevel{XRefCode: "L2"}}, dayforce.WriteOptions{ValidateOnly: true})
	require.NoError(t, err)
}

// answerWith is a transport that answers every call with one body.
type answerWith struct {
	status int
	body   string
}

func (a answerWith) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: a.status, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
		Body: io.NopCloser(strings.NewReader(a.body))}, nil
}

// TestVendorProxyCatchesForbiddenAnswers: the proxy is not vacuous: an answer of the
// wrong shape, a status the document does not list and a path it does not have are
// caught.
func TestVendorProxyCatchesForbiddenAnswers(t *testing.T) {
	router := vendorRouter(t)
	for _, tc := range []struct {
		name, path string
		answer     answerWith
	}{
		{"Data of the wrong type", "/Api/ddn/V1/Employees", answerWith{200, `{"Data":"not a list"}`}},
		{"a date that is not one", "/Api/ddn/V1/Employees/E1/Availability?filterAvailabilityStartDate=2026-01-05T00:00:00&filterAvailabilityEndDate=2026-01-06T00:00:00",
			answerWith{200, `{"Data":[{"DateOfRequest":"yesterday"}]}`}},
		{"an undocumented status", "/Api/ddn/V1/Employees", answerWith{418, `{}`}},
		{"a path the vendor does not have", "/Api/ddn/V1/Teapots", answerWith{200, `{}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			px := &vendorProxy{next: tc.answer, router: router, seen: map[string]int{}}
			req, err := http.NewRequest(http.MethodGet, "https://example.dayforcehcm.com"+tc.path, nil)
			require.NoError(t, err)
			resp, err := px.RoundTrip(req)
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.NotEmpty(t, px.faults)
		})
	}
}

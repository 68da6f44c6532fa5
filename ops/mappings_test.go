package ops_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/ops"
)

type contactIn struct {
	Ref   string `json:"ref"`
	Email string `json:"email"`
}

const contactSpec = `name: reach-customer
version: 1
source: contact
target: contact
fields:
  - {target: ref, source: ref, required: true}
  - {target: email, source: email, pipeline: [trim, email]}
`

type mappingsRig struct {
	console *ops.Console
	dir     *mapping.Dir
	audit   *auditLog
}

func newMappingsRig(t *testing.T) *mappingsRig {
	reg := mapping.NewRegistry()
	reg.RegisterType("contact", contactIn{})
	dir, err := mapping.OpenDir(t.TempDir(), reg, fstest.MapFS{"reach-customer.yaml": {Data: []byte(contactSpec)}}, nil)
	require.NoError(t, err)
	store := mapping.NewMemoryStore(0, nil)
	require.NoError(t, store.Put(context.Background(), mapping.FailedRecord{Key: "reach/customer/C1", Mapping: "reach-customer",
		Class: mapping.ClassData, Payload: []byte(`{"ref":"C1","email":"Ada <ada@example.com>"}`)}))
	r := &mappingsRig{dir: dir, audit: &auditLog{}}
	r.console, err = ops.New(ops.Config{Auth: ops.BearerToken(map[string]string{token: "ada"}), Mappings: dir, Errors: store,
		Auditor: r.audit,
		DryRun: func(_ context.Context, m *mapping.Mapping, rec mapping.FailedRecord) (any, error) {
			var in contactIn
			if err := jsonUnmarshal(rec.Payload, &in); err != nil {
				return nil, err
			}
			return mapping.Map[contactIn](m, in)
		}})
	require.NoError(t, err)
	return r
}

func (r *mappingsRig) post(path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	r.console.ServeHTTP(w, req)
	return w
}

func (r *mappingsRig) get(path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	r.console.ServeHTTP(w, req)
	return w
}

func unescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&#43;", "+", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// The Mappings tab: every problem of an edit at once with its line, nothing saved;
// a dry run of the edit on a stored record; a save that compiles is in force, and
// recorded with its author and diff, and audited.
func TestMappingsTab(t *testing.T) {
	r := newMappingsRig(t)
	body := r.get("/mappings").Body.String()
	assert.Contains(t, body, "reach-customer.yaml")
	assert.Contains(t, body, "reach-customer v1")

	page := unescape(r.get("/mapping/reach-customer.yaml").Body.String())
	assert.Contains(t, page, "pipeline: [trim, email]")
	assert.Contains(t, page, "reach/customer/C1", "a stored record to dry-run on")

	bad := strings.Replace(strings.Replace(contactSpec, "[trim, email]", "[trim, emial]", 1), "source: ref,", "source: reff,", 1)
	w := r.post("/mapping/reach-customer.yaml", url.Values{"text": {bad}, "action": {"save"}})
	assert.Equal(t, http.StatusUnprocessableEntity, w.Code)
	page = unescape(w.Body.String())
	assert.Contains(t, page, "2 problem(s); nothing was saved")
	assert.Contains(t, page, "line 6: field 1 (ref)")
	assert.Contains(t, page, `line 7: field 2 (email): unknown step "emial"`)
	text, _ := r.dir.Read("reach-customer.yaml")
	assert.Equal(t, contactSpec, string(text))

	// the stored record's email has a display name: the fixed mapping drops the
	// email step, and the dry run shows what it would give
	fixed := strings.Replace(strings.Replace(contactSpec, "version: 1", "version: 2", 1), "[trim, email]", "[trim]", 1)
	w = r.post("/mapping/reach-customer.yaml", url.Values{"text": {fixed}, "action": {"dryrun"}, "record": {"reach/customer/C1"}})
	require.Equal(t, http.StatusOK, w.Code)
	page = unescape(w.Body.String())
	assert.Contains(t, page, "Dry run on reach/customer/C1")
	assert.Contains(t, page, `"ref":"C1"`)
	m, _ := r.dir.Loader().Mapping("reach-customer")
	assert.Equal(t, 1, m.Version(), "a dry run saves nothing")

	w = r.post("/mapping/reach-customer.yaml", url.Values{"text": {fixed}, "action": {"save"}})
	require.Equal(t, http.StatusSeeOther, w.Code)
	assert.Equal(t, "../mapping/reach-customer.yaml?saved=1", w.Header().Get("Location"))
	m, _ = r.dir.Loader().Mapping("reach-customer")
	assert.Equal(t, 2, m.Version(), "in force")
	page = unescape(r.get("/mapping/reach-customer.yaml?saved=1").Body.String())
	assert.Contains(t, page, "Saved: the mapping is in force.")
	assert.Contains(t, page, "by ada")
	assert.Contains(t, page, "+2: version: 2")
	require.Len(t, r.audit.evs, 2)
	assert.Equal(t, "save mapping", r.audit.evs[1].Operation)
	assert.Nil(t, r.audit.evs[1].Err)
	assert.NotNil(t, r.audit.evs[0].Err, "the refused save is audited too")

	assert.Equal(t, http.StatusNotFound, r.get("/mapping/..%2F..%2Fetc%2Fpasswd.yaml").Code, "never outside the directory")
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

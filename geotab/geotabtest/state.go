package geotabtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/internal/assembly/fakekit"
)

type session struct {
	id      string
	created time.Time
}

type state struct {
	mu        sync.Mutex
	cfg       config
	now       time.Time
	home      *Server
	sessions  map[string]session
	order     []string // session ids, oldest first (100 per user, rolling)
	authCalls int
	calls     map[string][]time.Time // per rate-limit key, within the last minute
	faults    fakekit.Queue
	recorded  fakekit.Recorder[Request]
	schemas   openapi3.Schemas
	version   uint64
	seq       int
	fleet     fleet
	hooks     fakekit.Emitter
}

func defaultLimits() map[string]int {
	return map[string]int{
		"Authenticate": AuthPerMinute,
		// confirmed MyGeotab limits (per user, database, method and type, per minute)
		"Get DeviceStatusInfo": 900, "GetFeed DeviceStatusInfo": 60,
		"Get ExceptionEvent": 2000, "GetFeed ExceptionEvent": 60,
		"Get Rule": 300, "GetFeed Rule": 150, "Add Rule": 150, "Set Rule": 150, "Remove Rule": 150,
		"GetFeed *": 60,
	}
}

var (
	schemaOnce sync.Once
	schemas    openapi3.Schemas
	schemaErr  error
)

func loadSchemas() (openapi3.Schemas, error) {
	schemaOnce.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(geotab.OpenAPISpec)
		if err == nil {
			err = doc.Validate(context.Background())
		}
		if err != nil {
			schemaErr = fmt.Errorf("loading geotab/openapi.yaml: %w", err)
			return
		}
		schemas = doc.Components.Schemas
	})
	return schemas, schemaErr
}

func newState(cfg config) (*state, error) {
	sc, err := loadSchemas()
	if err != nil {
		return nil, err
	}
	st := &state{cfg: cfg, now: cfg.start, sessions: map[string]session{}, calls: map[string][]time.Time{}, schemas: sc}
	st.seed()
	return st, nil
}

func (st *state) nextVersion() string {
	st.version++
	return fmt.Sprintf("%016x", st.version)
}

func (st *state) newID(prefix string) string {
	st.seq++
	return fmt.Sprintf("%s%X", prefix, st.seq)
}

func (st *state) record(server, method, typeName string, params json.RawMessage) {
	var m map[string]any
	if json.Unmarshal(params, &m) == nil {
		maskSecrets(m)
		params, _ = json.Marshal(m)
	}
	st.recorded.Add(Request{Server: server, Method: method, TypeName: typeName, Params: params})
}

func maskSecrets(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "password" || k == "sessionId" {
				x[k] = "REDACTED"
				continue
			}
			maskSecrets(e)
		}
	case []any:
		for _, e := range x {
			maskSecrets(e)
		}
	}
}

// limit counts a call against its per-minute limit; it returns the rate headers to
// send, or an OverLimitException with the seconds to wait.
func (st *state) limit(key string) (http.Header, *rpcErr) {
	n, ok := st.cfg.limits[key]
	if !ok && strings.HasPrefix(key, "GetFeed ") {
		n, ok = st.cfg.limits["GetFeed *"]
	}
	if !ok || n <= 0 {
		return nil, nil
	}
	window := st.calls[key][:0]
	for _, t := range st.calls[key] {
		if st.now.Sub(t) < time.Minute {
			window = append(window, t)
		}
	}
	if len(window) >= n {
		st.calls[key] = window
		wait := int(time.Minute-st.now.Sub(window[0]))/int(time.Second) + 1
		return nil, &rpcErr{code: -32000, exception: geotab.ExOverLimit, retryAfter: wait,
			message: fmt.Sprintf("API calls quota exceeded. Maximum admitted %d per 1m.", n)}
	}
	window = append(window, st.now)
	st.calls[key] = window
	h := http.Header{}
	h.Set("X-Rate-Limit-Limit", "1m")
	h.Set("X-Rate-Limit-Remaining", fmt.Sprint(n-len(window)))
	h.Set("X-Rate-Limit-Reset", window[0].Add(time.Minute).UTC().Format("2006-01-02T15:04:05.000Z"))
	return h, nil
}

var paramSchemas = map[string]string{
	"Authenticate": "AuthenticateParams", "Get": "GetParams", "GetFeed": "GetFeedParams",
	"GetCountOf": "GetCountOfParams", "Add": "EntityParams", "Set": "EntityParams", "Remove": "EntityParams",
	// ExecuteMultiCall is checked child by child as it runs (see multiCall): MyGeotab
	// runs the children before a bad one, and enforces no count (SDK concepts)
	"ExecuteMultiCall": "", "GetAddresses": "GetAddressesParams", "GetCoordinates": "GetCoordinatesParams",
	"GetVersion": "", "GetSystemTimeUtc": "",
}

// validate checks params against the method's schema in openapi.yaml.
func (st *state) validate(method string, params map[string]any) *rpcErr {
	name, ok := paramSchemas[method]
	if !ok {
		return &rpcErr{code: -32601, exception: geotab.ExMissingMethod, message: fmt.Sprintf("The method '%s' could not be found.", method)}
	}
	if name == "" {
		return nil
	}
	if err := st.schemas[name].Value.VisitJSON(params, openapi3.MultiErrors()); err != nil {
		return argErr("%s: %s", method, fakekit.OneLine(err.Error()))
	}
	if method == "Add" || method == "Set" {
		tn, _ := params["typeName"].(string)
		if ref, ok := st.schemas[tn]; ok {
			if err := ref.Value.VisitJSON(params["entity"], openapi3.MultiErrors()); err != nil {
				return argErr("%s %s: %s", method, tn, fakekit.OneLine(err.Error()))
			}
		}
	}
	return nil
}

// dispatch runs one top-level call.
func (s *Server) dispatch(method string, raw json.RawMessage) (any, http.Header, *rpcErr) {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	var params map[string]any
	if err := strictDecode(raw, &params); err != nil || params == nil {
		if method == "GetVersion" || method == "GetSystemTimeUtc" {
			params = map[string]any{}
		} else {
			return nil, nil, &rpcErr{code: -32700, exception: geotab.ExJSONSerializer, message: "params must be a JSON object"}
		}
	}
	params = normalize(params).(map[string]any)
	if e := st.validate(method, params); e != nil {
		return nil, nil, e
	}
	if method == "Authenticate" {
		return st.authenticate(s, params)
	}
	if method == "GetVersion" {
		return "12.0.0.1-geotabtest", nil, nil
	}
	if method == "GetSystemTimeUtc" {
		return geotab.NewTime(st.now), nil, nil
	}
	if e := st.checkSession(s, params["credentials"]); e != nil {
		return nil, nil, e
	}
	if method == "ExecuteMultiCall" {
		return st.multiCall(params)
	}
	return st.call(method, params)
}

// normalize turns json.Number into float64 so schema validation sees plain numbers.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	case json.Number:
		f, _ := x.Float64()
		return f
	}
	return v
}

func (st *state) authenticate(s *Server, p map[string]any) (any, http.Header, *rpcErr) {
	st.authCalls++
	hdr, e := st.limit("Authenticate")
	if e != nil {
		return nil, nil, e
	}
	if db, _ := p["database"].(string); db != "" && db != DefaultDatabase {
		return nil, nil, &rpcErr{code: -32000, exception: geotab.ExDbUnavailable, state: geotab.DbStateUnknownDatabase,
			message: fmt.Sprintf("Database '%s' does not exist (UnknownDatabase)", db)}
	}
	if p["userName"] != DefaultUser || p["password"] != DefaultPassword {
		return nil, nil, &rpcErr{code: -32000, exception: geotab.ExInvalidUser, message: "Incorrect login credentials"}
	}
	id := st.newID(fmt.Sprintf("sess%x-", st.cfg.seed*7919+int64(st.authCalls)))
	st.sessions[id] = session{id: id, created: st.now}
	st.order = append(st.order, id)
	if len(st.order) > 100 { // MyGeotab keeps the 100 newest sessions per user
		delete(st.sessions, st.order[0])
		st.order = st.order[1:]
	}
	path := "ThisServer"
	if st.home != s {
		path = st.home.Host()
	}
	return geotab.LoginResult{Credentials: geotab.Credentials{Database: DefaultDatabase, UserName: DefaultUser, SessionID: id}, Path: path}, hdr, nil
}

func (st *state) checkSession(s *Server, cred any) *rpcErr {
	c, _ := cred.(map[string]any)
	id, _ := c["sessionId"].(string)
	invalid := &rpcErr{code: -32000, exception: geotab.ExInvalidUser, message: fmt.Sprintf("Invalid session @ '%s'", DefaultDatabase)}
	if _, hasPw := c["password"]; hasPw && id == "" {
		return argErr("send the session id, not the password, with every call")
	}
	sess, ok := st.sessions[id]
	if !ok || c["database"] != DefaultDatabase || c["userName"] != DefaultUser {
		return invalid
	}
	if st.now.Sub(sess.created) > st.cfg.sessionTTL {
		delete(st.sessions, id)
		return invalid
	}
	if st.home != s { // the database lives elsewhere now
		return invalid
	}
	return nil
}

func (st *state) multiCall(p map[string]any) (any, http.Header, *rpcErr) {
	calls, ok := p["calls"].([]any)
	if !ok {
		return nil, nil, argErr("ExecuteMultiCall needs calls, an array of {method, params}")
	}
	results := make([]any, 0, len(calls))
	for i, c := range calls {
		cm, _ := c.(map[string]any)
		method, _ := cm["method"].(string)
		child, _ := cm["params"].(map[string]any)
		if child == nil {
			child = map[string]any{}
		}
		child["credentials"] = p["credentials"]
		var (
			res any
			e   *rpcErr
		)
		// children run in order; the first that fails ends the call with its index, and
		// what the children before it did stays done (SDK concepts, MultiCall: "not
		// transactional"; an unknown method is MissingMethodException, -32601)
		if _, known := paramSchemas[method]; !known {
			e = &rpcErr{code: -32601, exception: geotab.ExMissingMethod, message: fmt.Sprintf("The method '%s' could not be found.", method)}
		} else if method == "ExecuteMultiCall" || method == "Authenticate" {
			e = argErr("%s cannot be called inside ExecuteMultiCall", method)
		} else if e = st.validate(method, child); e == nil {
			res, _, e = st.call(method, child)
		}
		if e != nil {
			e.index = i
			return nil, nil, e
		}
		results = append(results, res)
	}
	return results, nil, nil
}

// call runs one authenticated, validated method.
func (st *state) call(method string, p map[string]any) (any, http.Header, *rpcErr) {
	tn, _ := p["typeName"].(string)
	key := method
	if tn != "" {
		key += " " + tn
	}
	hdr, e := st.limit(key)
	if e != nil {
		return nil, nil, e
	}
	var res any
	switch method {
	case "Get":
		res, e = st.get(tn, p)
	case "GetFeed":
		res, e = st.getFeed(tn, p)
	case "GetCountOf":
		res, e = st.countOf(tn)
	case "Add":
		res, e = st.add(tn, p["entity"])
	case "Set":
		e = st.set(tn, p["entity"])
	case "Remove":
		e = st.remove(tn, p["entity"])
	case "GetCoordinates":
		res = st.geocode(p["addresses"])
	case "GetAddresses":
		res = st.reverseGeocode(p["coordinates"])
	default:
		e = &rpcErr{code: -32601, exception: geotab.ExMissingMethod, message: fmt.Sprintf("The method '%s' could not be found.", method)}
	}
	return res, hdr, e
}

// decodeInto converts a decoded JSON value into a typed value.
func decodeInto(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

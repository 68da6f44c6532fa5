package ops_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/ops"
)

// A browser signs in with the operator's token in the form and is known by its
// session cookie until it signs out; a wrong token gets the form again with 401,
// and a cross-site sign-in is refused.
func TestBrowserSignIn(t *testing.T) {
	audit := &auditLog{}
	c, err := ops.New(ops.Config{Auth: ops.NewSessions(ops.BearerToken(map[string]string{token: "ada"}), 0), Auditor: audit})
	require.NoError(t, err)
	do := func(method, path string, form url.Values, cookie *http.Cookie, hdr map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		c.ServeHTTP(w, req)
		return w
	}
	w := do("GET", "/", nil, nil, nil)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Contains(t, w.Body.String(), `name="token"`, "the sign-in form")

	w = do("POST", "/login", url.Values{"token": {"wrong"}}, nil, nil)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Contains(t, w.Body.String(), "not an operator")
	assert.Empty(t, w.Result().Cookies())

	w = do("POST", "/login", url.Values{"token": {token}}, nil, map[string]string{"Sec-Fetch-Site": "cross-site"})
	assert.Equal(t, http.StatusForbidden, w.Code, "a cross-site sign-in")

	w = do("POST", "/login", url.Values{"token": {token}}, nil, nil)
	require.Equal(t, http.StatusSeeOther, w.Code)
	cookies := w.Result().Cookies()
	require.Len(t, cookies, 1)
	session := cookies[0]
	assert.Equal(t, ops.SessionCookie, session.Name)
	assert.True(t, session.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, session.SameSite)
	assert.NotContains(t, session.Value, token, "the cookie is a session id, not the token")

	w = do("GET", "/", nil, session, nil)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), "ada")
	assert.Equal(t, http.StatusSeeOther, do("POST", "/logout", url.Values{}, session, nil).Code)
	assert.Equal(t, http.StatusUnauthorized, do("GET", "/", nil, session, nil).Code, "signed out")
	require.Len(t, audit.evs, 2)
	assert.Equal(t, "sign in", audit.evs[0].Operation)
	assert.Equal(t, "ada", audit.evs[0].Actor)
}

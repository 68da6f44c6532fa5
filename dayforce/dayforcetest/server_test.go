package dayforcetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestErrorEnvelopeIsTheVendors: a failure answers {ProcessResults} as the vendor
// document's 400 and 500 examples do, without a Data member (its Payload schema has
// Data as a non-nullable object, so null would not be Dayforce's).
func TestErrorEnvelopeIsTheVendors(t *testing.T) {
	for _, tc := range []struct {
		name string
		bare bool
		want string
	}{
		{"object envelope", false, `{"ProcessResults":[{"Code":"TIME_RawPunch_InvalidBadge","Context":"punch.EmployeeBadge","Level":"ERROR","Message":"no"}]}`},
		{"bare array", true, `[{"Code":"TIME_RawPunch_InvalidBadge","Context":"punch.EmployeeBadge","Level":"ERROR","Message":"no"}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			results(rec, http.StatusBadRequest, tc.bare, result("ERROR", "TIME_RawPunch_InvalidBadge", "punch.EmployeeBadge", "no"))
			var got, want any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(want)
			if string(gb) != string(wb) {
				t.Fatalf("got %s, want %s", gb, wb)
			}
		})
	}
}

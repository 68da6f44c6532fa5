package ops_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/dispatchcenter/connectors/ops"
)

// A console with one job, mounted under /ops/ and reached with an operator's token.
func Example() {
	jobs := ops.NewJobs(nil, nil)
	_ = jobs.Register(ops.Job{Name: "reach-sync", Module: "reach", Kind: ops.Regular, Schedule: ops.Daily(2 * time.Hour),
		Run: func(context.Context) (int, error) { return 12, nil }})
	console, err := ops.New(ops.Config{Auth: ops.BearerToken(map[string]string{"a-long-random-operator-token": "ada"}), Jobs: jobs})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ops/", http.StripPrefix("/ops", console))

	for _, token := range []string{"", "a-long-random-operator-token"} {
		req := httptest.NewRequest(http.MethodGet, "/ops/jobs", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		fmt.Println(w.Code)
	}
	run, err := jobs.RunNow(context.Background(), "reach-sync", "ada")
	fmt.Println(run.Records, run.OK(), err)
	// Output:
	// 401
	// 200
	// 12 true <nil>
}

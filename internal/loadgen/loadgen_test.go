package loadgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunSendsOnSchedule(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/slow" {
			time.Sleep(300 * time.Millisecond)
		}
		if r.Header.Get("Authorization") != "Bearer x" {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	h := http.Header{"Authorization": {"Bearer x"}}
	res, err := Run(context.Background(), Config{URLs: []string{srv.URL + "/a"}, Header: h, Rate: 200, Duration: 500 * time.Millisecond})
	if err != nil || res.Sent != 100 || res.OK != 100 || hits.Load() != 100 || res.P99 <= 0 || res.P99 < res.P50 {
		t.Fatalf("fast server: %+v %v (hits %d)", res, err, hits.Load())
	}
	// Open loop: a slow server does not slow the sending; the waiting shows in the latencies.
	res, err = Run(context.Background(), Config{URLs: []string{srv.URL + "/slow"}, Header: h, Rate: 100, Duration: 300 * time.Millisecond})
	if err != nil || res.Sent != 30 || res.P50 < 300 || res.Seconds > 1.5 {
		t.Fatalf("slow server: %+v %v", res, err)
	}
	res, _ = Run(context.Background(), Config{URLs: []string{srv.URL + "/a"}, Rate: 50, Duration: 100 * time.Millisecond})
	if res.Errors != 5 {
		t.Fatalf("errors not counted: %+v", res)
	}
	if _, err := Run(context.Background(), Config{Rate: 1, Duration: time.Second}); err == nil {
		t.Fatal("empty config accepted")
	}
}

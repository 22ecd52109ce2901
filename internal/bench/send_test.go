package bench

import (
	"fmt"
	"os"
	"testing"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

const sinkEnv = "CLEARLIST_BENCH_TEST_SINK"

func TestMain(m *testing.M) {
	if os.Getenv(sinkEnv) != "" { // the sink process of TestSendSmall
		if err := RunSink(os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestSendSmall: bench send's whole path on both engines with a few recipients: every
// consented contact receives one message at the sink process, signed when asked, and the
// bare client's messages arrive too.
func TestSendSmall(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			sink, err := StartSink(sinkEnv + "=1")
			if err != nil {
				t.Fatal(err)
			}
			defer sink.Close()
			dir := t.TempDir()
			a, err := app.Open(ctx, config.Config{DB: e.DSN(t), Workspace: "default", LogLevel: "error", DataDir: dir,
				Relays: []string{fmt.Sprintf("smtp://%s?tls=none&max_conns=4", sink.Addr)}})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			res, err := Send(ctx, a, sink, dir, SendOptions{Recipients: 200, DKIM: "ed25519", Workers: 2, Conns: 4}, func(string) {})
			if err != nil || res.Sent != 200 || res.Rate <= 0 || res.BareRate <= 0 {
				t.Fatalf("Send = %+v, %v", res, err)
			}
		})
	}
}

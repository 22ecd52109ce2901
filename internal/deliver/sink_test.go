package deliver

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/deliver/delivertest"
)

// sink is the test relay (delivertest.Sink).
type sink = delivertest.Sink

// startSink serves k on 127.0.0.1 with the TLS mode given.
func startSink(tb testing.TB, k *sink, mode TLSMode) (string, *tls.Config) {
	return delivertest.Start(tb, k, string(mode))
}

// sinkProcessEnv makes the test binary a bare go-smtp sink instead of running tests, so that
// benchmarks measure a client and a server in separate processes, as in production.
const sinkProcessEnv = "CLEARLIST_DELIVER_SINK"

func TestMain(m *testing.M) {
	if os.Getenv(sinkProcessEnv) == "1" {
		runSinkProcess()
		return
	}
	os.Exit(m.Run())
}

// runSinkProcess serves a discarding sink, prints its address, and exits when stdin closes.
func runSinkProcess() {
	srv := delivertest.Server(&delivertest.Sink{Discard: true})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	go srv.Serve(ln)
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
	os.Exit(0)
}

// startSinkProcess runs the sink in a child process and returns its address.
func startSinkProcess(tb testing.TB) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), sinkProcessEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatalf("sink process: %v", err)
	}
	return strings.TrimSpace(line)
}

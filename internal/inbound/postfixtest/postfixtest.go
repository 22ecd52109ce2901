// Package postfixtest runs a private Postfix instance on 127.0.0.1 for tests: its own
// configuration, queue and data directories under the test's temporary directory, a free
// port, started with `postfix -c DIR start` and stopped when the test ends. Mail it takes
// for a user that does not exist bounces, and the delivery status notification for the
// VERP bounce domain is relayed to an SMTP server the test names (clearlist's inbound).
//
// Tests that use it skip when Postfix is not installed, unless CLEARLIST_REQUIRE_POSTFIX=1
// (CI), where they fail. Postfix must run as root (it drops to its own user).
package postfixtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// LocalDomain is the domain Postfix delivers locally; mail to a user of it that does not
// exist bounces (status 5.1.1).
const LocalDomain = "postfix.test"

// Instance is a running private Postfix.
type Instance struct {
	Addr      string // host:port of its SMTP server
	ConfigDir string
	LogFile   string // Postfix's log (maillog_file), for a failing test to show
	postfix   string
}

// Options say where bounces go.
type Options struct {
	// BounceDomain's mail (the DSNs sent to VERP return paths) is relayed to Relay (host:port).
	BounceDomain string
	Relay        string
}

// Binary returns the postfix command, or skips the test (fails it when
// CLEARLIST_REQUIRE_POSTFIX=1) when Postfix is not installed or the test is not root.
func Binary(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("postfix")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/postfix"); serr == nil {
			bin, err = "/usr/sbin/postfix", nil
		}
	}
	why := ""
	switch {
	case err != nil:
		why = "Postfix is not installed (apt-get install postfix, with main_mailer_type 'No configuration')"
	case os.Geteuid() != 0:
		why = "Postfix must be started as root"
	}
	if why != "" {
		if os.Getenv("CLEARLIST_REQUIRE_POSTFIX") == "1" {
			t.Fatalf("CLEARLIST_REQUIRE_POSTFIX=1 but %s", why)
		}
		t.Skipf("skipping the real-MTA test: %s; set CLEARLIST_REQUIRE_POSTFIX=1 to make this an error", why)
	}
	return bin
}

// Start starts a private Postfix and stops it when the test ends.
func Start(t testing.TB, o Options) *Instance {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	// Postfix's daemons run as the postfix user, which must reach the queue directory.
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	in := &Instance{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), ConfigDir: filepath.Join(dir, "etc"),
		LogFile: filepath.Join(dir, "maillog"), postfix: bin}
	for _, d := range []string{"etc", "queue", "data"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(filepath.Join(dir, "data"), postfixUID(t), -1); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(in.ConfigDir, "main.cf"), mainCF(dir, o))
	write(t, filepath.Join(in.ConfigDir, "master.cf"), masterCF(port))
	if out, err := exec.Command(bin, "-c", in.ConfigDir, "start").CombinedOutput(); err != nil {
		t.Fatalf("postfix start: %v\n%s\n%s", err, out, in.Log())
	}
	t.Cleanup(func() {
		if out, err := exec.Command(bin, "-c", in.ConfigDir, "stop").CombinedOutput(); err != nil {
			t.Errorf("postfix stop: %v\n%s", err, out)
		}
	})
	return in
}

// Log returns what Postfix logged so far.
func (in *Instance) Log() string {
	b, _ := os.ReadFile(in.LogFile)
	return string(b)
}

// Flush asks Postfix to try the deferred mail again now.
func (in *Instance) Flush() error {
	out, err := exec.Command(in.postfix, "-c", in.ConfigDir, "flush").CombinedOutput()
	if err != nil {
		return fmt.Errorf("postfix flush: %v: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

func mainCF(dir string, o Options) string {
	return strings.Join([]string{
		"compatibility_level = 3.6",
		"queue_directory = " + filepath.Join(dir, "queue"),
		"data_directory = " + filepath.Join(dir, "data"),
		"maillog_file = " + filepath.Join(dir, "maillog"),
		"maillog_file_prefixes = " + dir,
		"syslog_name = postfix-clearlist-test",
		"mail_owner = postfix",
		"setgid_group = postdrop",
		"inet_interfaces = 127.0.0.1",
		"inet_protocols = ipv4",
		"myhostname = " + LocalDomain,
		"mydomain = " + LocalDomain,
		"myorigin = $myhostname",
		"mydestination = $myhostname",
		"mynetworks = 127.0.0.0/8",
		"smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
		// Every local recipient is taken at SMTP time, so that an unknown one is bounced by
		// the local delivery agent with a DSN (rather than refused during the session).
		"local_recipient_maps =",
		"alias_maps =",
		"alias_database =",
		"biff = no",
		"append_dot_mydomain = no",
		"smtputf8_enable = no",
		"smtp_tls_security_level = may",
		"smtp_host_lookup = native",
		"transport_maps = inline:{" + o.BounceDomain + "=smtp:[" + hostOf(o.Relay) + "]:" + portOf(o.Relay) + "}",
		// A DSN the receiving server defers is tried again soon.
		"queue_run_delay = 1s",
		"minimal_backoff_time = 1s",
		"maximal_backoff_time = 2s",
		"delay_warning_time = 0",
		"",
	}, "\n")
}

func masterCF(port int) string {
	lines := []string{
		fmt.Sprintf("127.0.0.1:%d inet n - n - - smtpd", port),
		"pickup    unix  n       -       n       60      1       pickup",
		"cleanup   unix  n       -       n       -       0       cleanup",
		"qmgr      unix  n       -       n       300     1       qmgr",
		"rewrite   unix  -       -       n       -       -       trivial-rewrite",
		"bounce    unix  -       -       n       -       0       bounce",
		"defer     unix  -       -       n       -       0       bounce",
		"trace     unix  -       -       n       -       0       bounce",
		"verify    unix  -       -       n       -       1       verify",
		"flush     unix  n       -       n       1000?   0       flush",
		"proxymap  unix  -       -       n       -       -       proxymap",
		"smtp      unix  -       -       n       -       -       smtp",
		"relay     unix  -       -       n       -       -       smtp",
		"showq     unix  n       -       n       -       -       showq",
		"error     unix  -       -       n       -       -       error",
		"retry     unix  -       -       n       -       -       error",
		"discard   unix  -       -       n       -       -       discard",
		"local     unix  -       n       n       -       -       local",
		"anvil     unix  -       -       n       -       1       anvil",
		"scache    unix  -       -       n       -       1       scache",
		"postlog   unix-dgram n  -       n       -       1       postlogd",
		"",
	}
	return strings.Join(lines, "\n")
}

func write(t testing.TB, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func postfixUID(t testing.TB) int {
	t.Helper()
	u, err := user.Lookup("postfix")
	if err != nil {
		t.Fatalf("the postfix user is missing (is Postfix installed?): %v", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

func hostOf(addr string) string { h, _, _ := net.SplitHostPort(addr); return h }
func portOf(addr string) string { _, p, _ := net.SplitHostPort(addr); return p }

package inbound

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/dsn"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
)

// storeEnv is the bounce service over a real store, with a campaign sent to n contacts.
type storeEnv struct {
	dsn  string
	st   *store.Store
	svc  *bounce.Service
	seed storetest.SentCampaign
	key  []byte
}

func newStoreEnv(t *testing.T, eng storetest.Engine, n int) storeEnv {
	t.Helper()
	e := storeEnv{dsn: eng.DSN(t)}
	e.st = openStore(t, e.dsn)
	e.seed = storetest.SeedSentCampaign(t, e.st, "smtp", n)
	var err error
	if e.key, err = e.st.SigningKey(context.Background(), e.seed.WS, bounce.VERPKeyName); err != nil {
		t.Fatal(err)
	}
	e.svc = service(e.st)
	return e
}

func openStore(t *testing.T, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func service(st *store.Store) *bounce.Service {
	return bounce.New(st, suppress.New(st, suppress.Options{}, nil), bounce.Options{Parse: dsn.Parse, Classify: dsn.Classify})
}

// bounceOf is a hard bounce of contact k's delivery, sent to its VERP address; pad makes
// the message that much larger.
func (e storeEnv) bounceOf(k, pad int) mail {
	verp := deliver.VERPAddress(e.key, "bounce.example", e.seed.WS, e.seed.Campaign, e.seed.Contacts[k])
	body := "From: MAILER-DAEMON@mx.example\r\nTo: " + verp + "\r\nSubject: Undelivered Mail\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n" + strings.Repeat(strings.Repeat("z", 98)+"\r\n", pad/100) +
		"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n" +
		"Final-Recipient: rfc822; " + e.seed.Addresses[k] + "\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b--\r\n"
	return mail{rcpt: verp, body: body}
}

// stored reads what the database holds (through a store of its own, so that it works after
// the server's store was closed): the kept messages and the bounce events by address.
func (e storeEnv) stored(t *testing.T) (messages int, events map[string]int) {
	t.Helper()
	st := openStore(t, e.dsn)
	if err := st.DB().QueryRow("SELECT count(*) FROM inbound_messages").Scan(&messages); err != nil {
		t.Fatal(err)
	}
	evs, err := service(st).Events(context.Background(), e.seed.WS, bounce.EventFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	events = map[string]int{}
	for _, ev := range evs {
		if ev.Kind == bounce.KindBounced && ev.Action == "undeliverable" {
			events[ev.Address]++
		}
	}
	return messages, events
}

// Over the real bounce service on both engines: the messages of concurrent sessions are
// each stored exactly once and acted on; a message the database refuses does not keep
// the others of its batch out (it alone is answered 451); a database closed while messages
// are coming in loses none that was answered 250; the messages pending at shutdown are
// stored and answered within the grace.
func TestServerBatchesIntoStore(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Run("concurrent", func(t *testing.T) { testConcurrentIntoStore(t, eng) })
			t.Run("poison", func(t *testing.T) { testPoisonIntoStore(t, eng) })
			t.Run("store closed", func(t *testing.T) { testStoreClosed(t, eng) })
			t.Run("shutdown", func(t *testing.T) { testShutdownIntoStore(t, eng) })
		})
	}
}

func testConcurrentIntoStore(t *testing.T, eng storetest.Engine) {
	const conns, each = 8, 6
	e := newStoreEnv(t, eng, conns*each+5)
	ts := serveTest(t, e.svc, Options{})
	var wg sync.WaitGroup
	errs := make([]error, conns*each)
	for c := range conns {
		cl := dial(t, ts.addr)
		wg.Go(func() {
			for i := c * each; i < (c+1)*each; i++ {
				m := e.bounceOf(i, 0)
				errs[i] = send(cl, "", []string{m.rcpt}, strings.NewReader(m.body))
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	// Some sessions in DATA together: one batch through the real IngestBatch.
	ts2 := serveTest(t, e.svc, Options{BatchLinger: time.Hour})
	more := make([]mail, 5)
	for i := range more {
		more[i] = e.bounceOf(conns*each+i, 0)
	}
	for i, err := range staged(t, ts2, more) {
		if err != nil {
			t.Errorf("staged message %d: %v", i, err)
		}
	}
	n, evs := e.stored(t)
	if n != conns*each+5 || len(evs) != conns*each+5 {
		t.Errorf("%d messages kept, %d addresses bounced; want %d each", n, len(evs), conns*each+5)
	}
	for a, k := range evs {
		if k != 1 {
			t.Errorf("%s bounced %d times", a, k)
		}
	}
}

// poison makes the database refuse a kept message over 20,000 bytes.
func poison(t *testing.T, st *store.Store) {
	t.Helper()
	stmts := []string{`CREATE TRIGGER poison BEFORE INSERT ON inbound_messages WHEN NEW.size > 20000
		BEGIN SELECT RAISE(ABORT, 'poison message'); END`}
	if st.Dialect() == store.Postgres {
		stmts = []string{`CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.size > 20000 THEN RAISE EXCEPTION 'poison message'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER poison BEFORE INSERT ON inbound_messages FOR EACH ROW EXECUTE FUNCTION poison()`}
	}
	for _, q := range stmts {
		if _, err := st.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func testPoisonIntoStore(t *testing.T, eng storetest.Engine) {
	e := newStoreEnv(t, eng, 5)
	poison(t, e.st)
	ts := serveTest(t, e.svc, Options{BatchLinger: time.Hour})
	msgs := make([]mail, 5)
	for i := range msgs {
		msgs[i] = e.bounceOf(i, 0)
	}
	msgs[2] = e.bounceOf(2, 30000)
	for i, err := range staged(t, ts, msgs) {
		switch {
		case i == 2 && smtpCode(err) != 451:
			t.Errorf("the message the database refuses: %v, want 451", err)
		case i != 2 && err != nil:
			t.Errorf("message %d beside the refused one: %v, want 250", i, err)
		}
	}
	n, evs := e.stored(t)
	if n != 4 || len(evs) != 4 || evs[e.seed.Addresses[2]] != 0 {
		t.Errorf("%d kept, bounced %v; want the 4 others", n, evs)
	}
}

func testStoreClosed(t *testing.T, eng storetest.Engine) {
	const conns, each = 6, 15
	e := newStoreEnv(t, eng, conns*each)
	ts := serveTest(t, e.svc, Options{})
	var acked atomic.Int64
	closed := make(chan struct{})
	var once sync.Once
	codes := make([]int, conns*each) // 250 or the error's code
	var wg sync.WaitGroup
	for c := range conns {
		cl := dial(t, ts.addr)
		wg.Go(func() {
			for i := c * each; i < (c+1)*each; i++ {
				m := e.bounceOf(i, 0)
				err := send(cl, "", []string{m.rcpt}, strings.NewReader(m.body))
				if err != nil {
					codes[i] = smtpCode(err)
					continue
				}
				codes[i] = 250
				if acked.Add(1) == 20 { // mid-way, with the other sessions' messages in flight
					once.Do(func() { e.st.Close(); close(closed) })
				}
			}
		})
	}
	wg.Wait()
	select {
	case <-closed:
	default:
		t.Fatal("the store was never closed")
	}
	_, evs := e.stored(t)
	refused := 0
	for i, code := range codes {
		addr := e.seed.Addresses[i]
		switch code {
		case 250:
			if evs[addr] != 1 {
				t.Errorf("message %d was answered 250 but its bounce is stored %d times", i, evs[addr])
			}
		case 451:
			refused++
			if evs[addr] != 0 {
				t.Errorf("message %d was answered 451 but stored", i)
			}
		default:
			t.Errorf("message %d: answered %d, want 250 or 451", i, code)
		}
	}
	if refused == 0 {
		t.Error("no message was answered 451 after the store was closed")
	}
	t.Logf("%d acknowledged, %d answered 451", len(codes)-refused, refused)
}

func testShutdownIntoStore(t *testing.T, eng storetest.Engine) {
	e := newStoreEnv(t, eng, 4)
	ts := serveTest(t, e.svc, Options{BatchLinger: time.Hour})
	msgs := make([]mail, 4)
	for i := range msgs {
		msgs[i] = e.bounceOf(i, 0)
	}
	// Every session in DATA, then the server is told to stop, then the data comes: within
	// the grace, the batch is stored and each answered 250, and the server stops after.
	ws := make([]io.WriteCloser, len(msgs))
	cls := make([]*smtp.Client, len(msgs))
	for i, m := range msgs {
		c := dial(t, ts.addr)
		if err := c.Mail("", nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt(m.rcpt, nil); err != nil {
			t.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		ws[i], cls[i] = w, c
	}
	waitUntil(t, "every session in DATA", func() bool { return ts.srv.batch.reading.Load() == int64(len(msgs)) })
	stopped := make(chan struct{})
	go func() { ts.stop(); close(stopped) }()
	var wg sync.WaitGroup
	for i := range ws {
		wg.Go(func() {
			if _, err := fmt.Fprint(ws[i], msgs[i].body); err != nil {
				t.Errorf("message %d: %v", i, err)
				return
			}
			if err := ws[i].Close(); err != nil {
				t.Errorf("message %d pending at shutdown: %v, want 250", i, err)
			}
			cls[i].Quit()
		})
	}
	wg.Wait()
	<-stopped
	if n, evs := e.stored(t); n != 4 || len(evs) != 4 {
		t.Errorf("%d kept, %d bounced; want the 4 pending at shutdown", n, len(evs))
	}
}

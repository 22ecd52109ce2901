package campaign

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The workspace settings of the guards, and their defaults: a campaign pauses itself when,
// over the last GuardWindow, the share of hard bounces (or complaints) among its finished
// deliveries crosses the threshold.
const (
	SettingMaxBounceRate    = "campaign.max_bounce_rate"
	SettingMaxComplaintRate = "campaign.max_complaint_rate"
	DefaultMaxBounceRate    = 0.05
	DefaultMaxComplaintRate = 0.003
	// GuardWindow is the sliding window the rates are taken over.
	GuardWindow = time.Hour
	// GuardMinSample is how many finished deliveries the window needs before a rate counts:
	// one bounce among the first ten is no signal.
	GuardMinSample = 200
	// guardEvery is how many outcomes a worker records between two checks.
	guardEvery = 100
)

// Thresholds are the rates above which a campaign pauses itself.
type Thresholds struct {
	Bounce    float64
	Complaint float64
}

// Window is what the guard reads of the recent deliveries.
type Window struct {
	Finished   int // sent or failed for good
	Hard       int // failed with a permanent (5xx) answer
	Complaints int
}

// Trip says whether the window crosses the thresholds, and why (the pause reason).
func Trip(w Window, t Thresholds) (string, bool) {
	if w.Finished < GuardMinSample {
		return "", false
	}
	if r := float64(w.Hard) / float64(w.Finished); t.Bounce > 0 && r > t.Bounce {
		return fmt.Sprintf("hard-bounce rate %.1f%% over the last %d deliveries crossed the workspace's %.1f%% (%s)",
			100*r, w.Finished, 100*t.Bounce, SettingMaxBounceRate), true
	}
	if r := float64(w.Complaints) / float64(w.Finished); t.Complaint > 0 && r > t.Complaint {
		return fmt.Sprintf("complaint rate %.2f%% over the last %d deliveries crossed the workspace's %.2f%% (%s)",
			100*r, w.Finished, 100*t.Complaint, SettingMaxComplaintRate), true
	}
	return "", false
}

// guardState is a worker's sliding window: the last guardWindow finished deliveries it
// recorded, whether each was a hard bounce. Each worker sees a sample of the same campaign,
// so its window tells the campaign's rate without a query.
type guardState struct {
	hard  []bool // ring of the last outcomes
	next  int
	full  bool
	nHard int
	since int // outcomes since the last check
}

// guardWindowSize is how many of a worker's latest deliveries the guard looks at.
const guardWindowSize = 1000

func (g *guardState) add(o Outcome) {
	if o.State != Sent && o.State != Failed {
		return
	}
	if g.hard == nil {
		g.hard = make([]bool, guardWindowSize)
	}
	hard := o.State == Failed && o.SMTPCode >= 500
	if g.full && g.hard[g.next] {
		g.nHard--
	}
	g.hard[g.next] = hard
	if hard {
		g.nHard++
	}
	g.next++
	if g.next == len(g.hard) {
		g.next, g.full = 0, true
	}
	g.since++
}

func (g *guardState) window() Window {
	n := g.next
	if g.full {
		n = len(g.hard)
	}
	return Window{Finished: n, Hard: g.nHard}
}

// checkGuard pauses the campaign, saying why, when the worker's window crosses the
// workspace's thresholds; it looks every guardEvery outcomes.
func (w *worker) checkGuard(ctx context.Context) error {
	w.flushing.Lock()
	due := w.guard.since >= guardEvery
	win := w.guard.window()
	if due {
		w.guard.since = 0
	}
	w.flushing.Unlock()
	if !due {
		return nil
	}
	return w.s.pauseIfOver(ctx, w.c.WorkspaceID, w.c.ID, win)
}

// Guard checks the campaign's rates over the last GuardWindow from the send log and the
// delivery events (hard bounces reported after sending, complaints) and pauses it when they
// cross the thresholds. Bounce processing calls it after each hard bounce or complaint of a
// campaign; the workers keep their own window of the send log.
//
// The events (the numerators that bounce processing just added to) are read each time; the
// send log's part — a read of the campaign's rows — is reused for guardSendWindowAge, so a
// storm of bounce batches does not rescan a large campaign for each.
func (s *Service) Guard(ctx context.Context, ws, id int64) error {
	now := s.now().UTC()
	since := now.Add(-GuardWindow)
	key := [2]int64{ws, id}
	sent, ok := s.sendWindows.Load(key)
	if !ok || now.Sub(sent.(cachedWindow).at) > guardSendWindowAge {
		w, err := s.st.DeliveryWindow(ctx, ws, id, since)
		if err != nil {
			return err
		}
		sent = cachedWindow{at: now, win: w}
		s.sendWindows.Store(key, sent)
	}
	ev, err := s.st.EventWindow(ctx, ws, id, since)
	if err != nil {
		return err
	}
	d := sent.(cachedWindow).win
	return s.pauseIfOver(ctx, ws, id, Window{Finished: d.Finished, Hard: d.Hard + ev.Hard, Complaints: ev.Complaints})
}

// guardSendWindowAge is how long Guard reuses a campaign's send-log window.
const guardSendWindowAge = 2 * time.Second

// cachedWindow is a DeliveryWindow and when it was read.
type cachedWindow struct {
	at  time.Time
	win Window
}

func (s *Service) pauseIfOver(ctx context.Context, ws, id int64, win Window) error {
	t, err := s.thresholds(ctx, ws)
	if err != nil {
		return err
	}
	why, trip := Trip(win, t)
	if !trip {
		return nil
	}
	err = s.st.TransitionCampaign(ctx, Transition{WorkspaceID: ws, ID: id, From: []State{Sending}, To: Paused,
		Action: "auto-pause", Reason: why, At: s.now().UTC()})
	if errors.Is(err, ErrState) {
		return nil // paused or cancelled meanwhile: the worker stops at its next round anyway
	}
	return err
}

func (s *Service) thresholds(ctx context.Context, ws int64) (Thresholds, error) {
	t := Thresholds{Bounce: DefaultMaxBounceRate, Complaint: DefaultMaxComplaintRate}
	if s.settings == nil {
		return t, nil
	}
	for _, x := range []struct {
		name string
		dst  *float64
	}{{SettingMaxBounceRate, &t.Bounce}, {SettingMaxComplaintRate, &t.Complaint}} {
		v, ok, err := s.settings.Setting(ctx, ws, x.name)
		if err != nil {
			return t, err
		}
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1 {
			return t, fmt.Errorf("setting %s is %q: give a share between 0 and 1 (0.05 is 5%%)", x.name, v)
		}
		*x.dst = f
	}
	return t, nil
}

package campaign

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign/localtime"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/suppress"
)

// Store is what the service keeps campaigns, templates and the send log in; the store
// implements it. Every change is one transaction (with its audit entry where it is a
// person's or the system's decision; the send log's outcomes are their own record).
type Store interface {
	CreateTemplate(ctx context.Context, t Template) (Template, error)
	UpdateTemplate(ctx context.Context, t Template) error
	Template(ctx context.Context, ws, id int64) (Template, error)
	TemplateByName(ctx context.Context, ws int64, name string) (Template, error)
	Templates(ctx context.Context, ws int64) ([]Template, error)
	// TemplatesPage is a page of Templates: at most limit templates whose name sorts after after.
	TemplatesPage(ctx context.Context, ws int64, after string, limit int) ([]Template, error)

	CreateCampaign(ctx context.Context, c Campaign) (Campaign, error)
	// UpdateCampaign rewrites the campaign while its state is one of states; ErrState otherwise.
	UpdateCampaign(ctx context.Context, c Campaign, states []State) error
	Campaign(ctx context.Context, ws, id int64) (Campaign, error)
	// CampaignState is the campaign's state alone (the workers look before every batch).
	CampaignState(ctx context.Context, ws, id int64) (State, error)
	Campaigns(ctx context.Context, ws int64) ([]Campaign, error)
	// SendingCampaigns lists the sending campaigns of every workspace.
	SendingCampaigns(ctx context.Context) ([]Campaign, error)
	// TransitionCampaign moves the campaign from one of t.From to t.To; ErrState when it is
	// in none of them.
	TransitionCampaign(ctx context.Context, t Transition) error
	// FinishCampaign moves a sending campaign with no queued or sending delivery left to
	// finished, and says whether it did.
	FinishCampaign(ctx context.Context, ws, id int64, at time.Time) (bool, error)

	// WriteDeliveries writes a batch of the audience snapshot; reset first drops the rows of
	// an earlier start that did not complete.
	WriteDeliveries(ctx context.Context, ws, id int64, reset bool, rows []Snapshot, at time.Time) error
	// ClaimInFlight records outcomes and claims up to limit queued deliveries, the first
	// sending of them straight into sending, in one durable transaction.
	ClaimInFlight(ctx context.Context, ws, id int64, claim string, outs []Outcome, limit, sending int, at time.Time) ([]Recipient, error)
	RecordOutcomes(ctx context.Context, ws, id int64, claim string, outs []Outcome) error
	// SendingClaims lists the process claims holding deliveries in sending.
	SendingClaims(ctx context.Context, ws, id int64) ([]string, error)
	// MarkUnknown recovers the deliveries of dead claims: claimed ones back to the queue, sending
	// ones to unknown; it returns how many became unknown.
	MarkUnknown(ctx context.Context, ws, id int64, claims []string, at time.Time) (int, error)
	// MarkInFlight records outcomes and moves claimed deliveries to sending, in one durable
	// transaction, before they are sent.
	MarkInFlight(ctx context.Context, ws, id int64, claim string, outs []Outcome, contacts []int64, at time.Time) (int, error)
	// RequeueDeliveries queues again (audited) the deliveries in state from; it returns how many.
	RequeueDeliveries(ctx context.Context, ws, id int64, from DeliveryState, at time.Time) (int, error)
	// NextAttempt is the earliest next attempt of a queued delivery; ok is false when none.
	NextAttempt(ctx context.Context, ws, id int64) (time.Time, bool, error)
	DeliveryCounts(ctx context.Context, ws, id int64) (Counts, error)
	// DeliveryStates counts the deliveries per state alone (cheaper: no exclusion reasons).
	DeliveryStates(ctx context.Context, ws, id int64) (map[DeliveryState]int, error)
	// QueuedZones and SetNextAttempts place the queued deliveries of a campaign sent at each
	// recipient's local time.
	QueuedZones(ctx context.Context, ws, id, after int64, limit int) ([]ZoneOf, error)
	SetNextAttempts(ctx context.Context, ws, id int64, due []Due) error
	CampaignDeliveries(ctx context.Context, ws, id int64, f DeliveryFilter) ([]Delivery, error)
	// DeliveryWindow reads the send log since a time: the deliveries finished (sent or failed
	// for good) and the hard failures among them (Finished, Hard).
	DeliveryWindow(ctx context.Context, ws, id int64, since time.Time) (Window, error)
	// EventWindow reads the delivery events since a time: the hard bounces reported and the
	// complaints (Hard, Complaints).
	EventWindow(ctx context.Context, ws, id int64, since time.Time) (Window, error)
	// TakeTokens takes n tokens from the shared bucket key (refilled at rate a second, up
	// to burst) and says how long to wait before using them; a negative n gives tokens back.
	TakeTokens(ctx context.Context, key string, rate, burst float64, n int, at time.Time) (time.Duration, error)
	ProcessAlive(ctx context.Context, name string) (bool, error)
	Purposes(ctx context.Context, ws int64) ([]consent.Purpose, error)

	// SplitAB gives the A/B test's sample their variant (variant number -> contacts) and
	// holds every other queued delivery until the decision.
	SplitAB(ctx context.Context, ws, id int64, sample map[int][]int64, at time.Time) error
	// VariantFigures counts each variant's deliveries and events.
	VariantFigures(ctx context.Context, ws, id int64) ([]VariantFigures, error)
	// DecideAB records the decision (with its audit entry) and queues the held deliveries with
	// the winner, in one transaction; it returns how many were released, ErrState when the
	// test was decided already.
	DecideAB(ctx context.Context, ws, id int64, winner int, d ABDecision) (int, error)
}

// Eligibility evaluates a list's contacts for a purpose and channel (eligibility.Service).
type Eligibility interface {
	Batch(ctx context.Context, ws int64, purpose, channel string, listID int64,
		fn func(contactID int64, v *policy.Verdict) error) error
}

// Screener gives the workspace's do-not-contact screen (suppress.Service).
type Screener interface {
	Screen(ctx context.Context, ws int64, fresh bool) (*suppress.Screen, error)
}

// Renderer turns a campaign's message into the message for one recipient, with the
// personalisation and the compliance footer.
type Renderer interface {
	Render(ctx context.Context, c Campaign, r Recipient) (deliver.Message, error)
}

// Queue enqueues the send jobs of a campaign: slot numbers one worker; at is when it may run.
type Queue interface {
	EnqueueCampaignSend(ctx context.Context, ws, id int64, slot int, at time.Time) error
}

// Settings reads a workspace setting (workspace.Service); ok is false when unset.
type Settings interface {
	Setting(ctx context.Context, ws int64, name string) (string, bool, error)
}

// Service runs campaigns. It is safe for concurrent use.
type Service struct {
	// sendWindows caches DeliveryWindow per campaign for Guard (see guardSendWindowAge).
	sendWindows sync.Map // [2]int64{ws, id} → cachedWindow
	st          Store
	elig        Eligibility
	screens     Screener
	render      Renderer
	send        deliver.Sender
	queue       Queue
	settings    Settings
	gates       Gate
	sources     Sources
	contacts    ContactFinder
	now         func() time.Time
	opts        Options
}

// Options tune the send pipeline; zero values take the defaults.
type Options struct {
	Batch        int           // deliveries claimed at once (default 50: what a kill can leave unknown per worker)
	Concurrency  int           // messages one worker sends at once (default 8)
	Workers      int           // send jobs a start enqueues when the campaign names none (default 4: while one claims, the others send)
	MaxAttempts  int           // attempts before a temporary failure is final (default 5)
	FlushEvery   int           // outcomes recorded per transaction (default 50)
	FlushAfter   time.Duration // longest an outcome waits to be recorded (default 200 ms)
	SnapshotRows int           // audience rows written per transaction (default 5000)
	Now          func() time.Time
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Batch, 50)
	def(&o.Concurrency, 8)
	def(&o.Workers, 4)
	def(&o.MaxAttempts, 5)
	def(&o.FlushEvery, 50)
	def(&o.SnapshotRows, 5000)
	if o.FlushAfter <= 0 {
		o.FlushAfter = 200 * time.Millisecond
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Deps are the services a campaign service works through.
type Deps struct {
	Store       Store
	Eligibility Eligibility
	Screener    Screener
	Renderer    Renderer
	Sender      deliver.Sender
	Queue       Queue
	Settings    Settings      // nil: the guard thresholds' defaults
	Gate        Gate          // nil: no footer or sender checks before a start
	Sources     Sources       // nil: no provenance sentence for legitimate interest
	Contacts    ContactFinder // nil: no preview as a contact
}

// New returns the service.
func New(d Deps, o Options) *Service {
	o = o.withDefaults()
	return &Service{st: d.Store, elig: d.Eligibility, screens: d.Screener, render: d.Renderer, send: d.Sender,
		queue: d.Queue, settings: d.Settings, gates: d.Gate, sources: d.Sources, contacts: d.Contacts, now: o.Now, opts: o}
}

// SetQueue hands the service the job queue once the job client exists (it is built after
// the services that its workers call).
func (s *Service) SetQueue(q Queue) { s.queue = q }

// Campaign returns one campaign.
func (s *Service) Campaign(ctx context.Context, ws, id int64) (Campaign, error) {
	return s.st.Campaign(ctx, ws, id)
}

// Campaigns lists the workspace's campaigns.
func (s *Service) Campaigns(ctx context.Context, ws int64) ([]Campaign, error) {
	return s.st.Campaigns(ctx, ws)
}

// Create checks and stores a new draft campaign.
func (s *Service) Create(ctx context.Context, c Campaign) (Campaign, error) {
	if err := s.normalize(ctx, &c); err != nil {
		return Campaign{}, err
	}
	c.State = Draft
	if a := audit.ActorFrom(ctx); c.CreatedBy == "" {
		c.CreatedBy = strings.Trim(string(a.Kind)+":"+cmpOr(a.Name, a.ID), ":")
	}
	c.CreatedAt = s.now().UTC()
	c.UpdatedAt = c.CreatedAt
	return s.st.CreateCampaign(ctx, c)
}

// Update rewrites a campaign that has not started. A campaign being sent (or paused,
// finished, cancelled) refuses: its recipients were screened for the campaign as it was;
// pause, resume and cancel are its only changes.
func (s *Service) Update(ctx context.Context, c Campaign) (Campaign, error) {
	old, err := s.st.Campaign(ctx, c.WorkspaceID, c.ID)
	if err != nil {
		return Campaign{}, err
	}
	if !Editable(old.State) {
		return Campaign{}, fmt.Errorf("campaign %q is %s: it can no longer be edited (pause, resume or cancel it, "+
			"or create a new campaign): %w", old.Name, old.State, ErrState)
	}
	if err := s.normalize(ctx, &c); err != nil {
		return Campaign{}, err
	}
	c.State, c.ScheduledAt, c.CreatedAt, c.CreatedBy = old.State, old.ScheduledAt, old.CreatedAt, old.CreatedBy
	c.UpdatedAt = s.now().UTC()
	if err := s.st.UpdateCampaign(ctx, c, []State{Draft, Scheduled}); err != nil {
		return Campaign{}, err
	}
	return c, nil
}

// normalize checks a campaign's fields and fills the defaults.
func (s *Service) normalize(ctx context.Context, c *Campaign) error {
	c.Name = strings.TrimSpace(c.Name)
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}
	switch {
	case c.Name == "":
		return bad("give the campaign a name")
	case strings.ContainsAny(c.Name+c.FromName+c.Subject+c.ReplyTo, "\r\n"):
		return bad("names, subject and addresses must be one line (no line breaks)")
	case c.Purpose == "":
		return bad("give the purpose the audience must be eligible for (consent purpose ls)")
	case len(c.Lists) == 0:
		return bad("give at least one list as the audience")
	case c.Rate < 0:
		return bad("the rate is messages a second, 0 for no limit; not %v", c.Rate)
	}
	if c.LocalTime != "" {
		clock, err := localtime.ParseClock(c.LocalTime)
		if err != nil {
			return bad("local time: %v", err)
		}
		c.LocalTime = clock.String()
	}
	if c.Channel == "" {
		c.Channel = "email"
	}
	if c.Channel != "email" {
		return bad("channel %q: campaigns send e-mail only", c.Channel)
	}
	if c.Workers <= 0 {
		c.Workers = s.opts.Workers
	}
	c.Workers = min(c.Workers, 32)
	if a, err := mail.ParseAddress(c.FromAddress); err != nil {
		return bad("from address %q: %v", c.FromAddress, err)
	} else {
		c.FromAddress = a.Address
		if c.FromName == "" {
			c.FromName = a.Name
		}
	}
	if c.ReplyTo != "" {
		if _, err := mail.ParseAddress(c.ReplyTo); err != nil {
			return bad("reply-to %q: %v", c.ReplyTo, err)
		}
	}
	if c.TemplateID != 0 {
		if _, err := s.st.Template(ctx, c.WorkspaceID, c.TemplateID); err != nil {
			return fmt.Errorf("template %d: %w", c.TemplateID, err)
		}
	} else if c.HTML == "" && c.Text == "" && c.Markdown == "" {
		return bad("give the message: a saved template, or an HTML, text or Markdown body")
	}
	if c.TemplateID == 0 && strings.TrimSpace(c.Subject) == "" {
		return bad("give the subject")
	}
	for _, f := range []*string{&c.TrackOpens, &c.TrackClicks} {
		switch *f = strings.ToLower(strings.TrimSpace(*f)); *f {
		case "", "default":
			*f = ""
		case "on", "off":
		default:
			return bad("tracking %q: use on, off or default (the workspace's setting)", *f)
		}
	}
	if err := s.normalizeAB(ctx, c); err != nil {
		return err
	}
	if c.TemplateID == 0 {
		return checkTemplate(&Template{Name: c.Name, Content: c.Content})
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// MaxTemplateSize bounds each part of a template (a 5 MB template is refused).
const MaxTemplateSize = 1 << 20

// AddTemplate checks and stores a template.
func (s *Service) AddTemplate(ctx context.Context, t Template) (Template, error) {
	if err := checkTemplate(&t); err != nil {
		return Template{}, err
	}
	t.CreatedAt = s.now().UTC()
	t.UpdatedAt = t.CreatedAt
	return s.st.CreateTemplate(ctx, t)
}

// UpdateTemplate rewrites a template. Campaigns already sending keep what they started with
// only in the sense that their next messages use the new text; edit before starting.
func (s *Service) UpdateTemplate(ctx context.Context, t Template) (Template, error) {
	if err := checkTemplate(&t); err != nil {
		return Template{}, err
	}
	t.UpdatedAt = s.now().UTC()
	return t, s.st.UpdateTemplate(ctx, t)
}

// Template returns one template.
func (s *Service) Template(ctx context.Context, ws, id int64) (Template, error) {
	return s.st.Template(ctx, ws, id)
}

// TemplateByName returns the template of that name.
func (s *Service) TemplateByName(ctx context.Context, ws int64, name string) (Template, error) {
	return s.st.TemplateByName(ctx, ws, name)
}

// Templates lists the workspace's templates.
func (s *Service) Templates(ctx context.Context, ws int64) ([]Template, error) {
	return s.st.Templates(ctx, ws)
}

// TemplatesPage returns a page of the workspace's templates by name: at most limit of those
// whose name sorts after after ("": from the first).
func (s *Service) TemplatesPage(ctx context.Context, ws int64, after string, limit int) ([]Template, error) {
	return s.st.TemplatesPage(ctx, ws, after, limit)
}

func checkTemplate(t *Template) error {
	t.Name = strings.TrimSpace(t.Name)
	switch {
	case t.Name == "":
		return fmt.Errorf("%w: give the template a name", ErrInvalid)
	case strings.ContainsAny(t.Subject+t.Preheader, "\r\n"):
		return fmt.Errorf("%w: the subject and preheader must be one line (no line breaks)", ErrInvalid)
	case t.HTML == "" && t.Text == "" && t.Markdown == "":
		return fmt.Errorf("%w: give an HTML, text or Markdown body", ErrInvalid)
	}
	for _, p := range []string{t.Subject, t.Preheader, t.HTML, t.Text, t.Markdown} {
		if len(p) > MaxTemplateSize {
			return fmt.Errorf("%w: a template part is %d bytes; the limit is %d (host images and attachments elsewhere)",
				ErrInvalid, len(p), MaxTemplateSize)
		}
	}
	return nil
}

package imports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/privfile"
)

// Import runs one import into workspace ws to its end: it checks the request, records the
// source and the import, streams the file through the pipeline and writes the error report.
// With resume set it continues the import with that id after its last committed row.
func (s *Service) Import(ctx context.Context, ws int64, req contact.ImportRequest, resume int64) (contact.Summary, error) {
	req.WorkspaceID = ws
	prep, err := s.prepareImport(ctx, req, resume)
	if err != nil {
		return contact.Summary{}, err
	}
	return s.runImport(ctx, prep)
}

// preparedImport is an import whose checks passed and whose rows are ready to be written.
type preparedImport struct {
	req     contact.ImportRequest
	file    *os.File
	counter *countingReader
	src     contact.RowSource
	norm    *contact.Normalizer
	dropped []string
	im      Import
	list    int64
	resume  int
	release func() // gives up the claim on the import; nil for a dry run
	// resumable is set for an upload run by its job, which is run again when the server
	// stops it: then its row is left running rather than marked failed.
	resumable bool
	// sender reads another sender's export (an import --from); nil for a plain file.
	sender *senderSource
	// hint suggests --from for a plain import whose header is another sender's export.
	hint string
}

// done gives up the claim on the import, once.
func (p *preparedImport) done() {
	if p.release != nil {
		p.release()
		p.release = nil
	}
}

func (s *Service) prepareImport(ctx context.Context, req contact.ImportRequest, resume int64) (p *preparedImport, err error) {
	p, err = s.checkImport(ctx, req, resume)
	if err != nil {
		if !errors.Is(err, contact.ErrInvalidImport) && !errors.Is(err, errs.ErrNotFound) {
			return nil, err
		}
		return nil, contact.InvalidImport(err)
	}
	return p, nil
}

// checkImport opens and checks the file and, unless it is a dry run, records the import.
// Errors it returns are the user's to fix unless the store failed.
func (s *Service) checkImport(ctx context.Context, req contact.ImportRequest, resume int64) (p *preparedImport, err error) {
	if req.FileName == "" {
		req.FileName = filepath.Base(req.Path)
	}
	if req.OnConflict, err = contact.ParseConflict(string(req.OnConflict)); err != nil {
		return nil, contact.InvalidImport(err)
	}
	if resume == 0 {
		if req.Source.Type == "" {
			return nil, contact.InvalidImport(errors.New("--source-type is required: say how these contacts were obtained (see `clearlist source-types`)"))
		}
		if req.Source.Type, err = contact.CanonicalSourceType(req.Source.Type); err != nil {
			return nil, contact.InvalidImport(err)
		}
		if req.Source.Evidence, err = contact.CheckEvidence(req.Source.Evidence); err != nil {
			return nil, contact.InvalidImport(err)
		}
	}
	if req.DefaultRegion == "" {
		req.DefaultRegion = s.cfg.DefaultRegion
	}
	if req.ListStatus != "" && !strings.EqualFold(strings.TrimSpace(req.From), "listmonk") {
		return nil, contact.InvalidImport(errors.New("--list-status (list_status) is for a listmonk export: give it with --from listmonk, or leave it out"))
	}
	attrs, err := s.st.Attributes(ctx, req.WorkspaceID)
	if err != nil {
		return nil, err
	}
	schema, err := contact.NewSchema(attrs)
	if err != nil {
		return nil, err
	}
	co, err := s.consentOptions(ctx, req)
	if err != nil {
		return nil, err
	}
	p = &preparedImport{req: req}
	p.norm, err = contact.NewNormalizer(contact.NormalizeOptions{Schema: schema, Map: req.Map,
		DropUndeclared: req.DropUndeclared, DefaultRegion: req.DefaultRegion,
		DefaultCountry: req.DefaultCountry, DefaultKind: req.DefaultKind, Consent: co})
	if err != nil {
		return nil, contact.InvalidImport(err)
	}
	if p.file, err = os.Open(req.Path); err != nil {
		return nil, fmt.Errorf("open import file: %w", err)
	}
	file := p.file
	defer func() {
		if err != nil {
			file.Close()
		}
	}()
	p.counter = &countingReader{r: p.file}
	if req.From != "" {
		wording := strings.TrimSpace(req.Source.Evidence["wording"])
		if wording == "" && resume != 0 { // the form's wording is kept with the import's source
			if im, err := s.st.Import(ctx, req.WorkspaceID, resume); err == nil {
				if src, err := s.st.Source(ctx, req.WorkspaceID, im.SourceID); err == nil {
					wording = strings.TrimSpace(src.Evidence["wording"])
				}
			}
		}
		if p.sender, err = newSenderSource(ctx, p.counter, req, wording, p.norm, actorName(ctx), s.cfg.Suppressor); err != nil {
			return nil, contact.InvalidImport(fmt.Errorf("%s: %w", req.FileName, err))
		}
		p.src = p.sender
	} else if p.src, err = contact.NewRowSource(p.counter, req.Read); err != nil {
		return nil, contact.InvalidImport(fmt.Errorf("%s: %w", req.FileName, err))
	}
	if cols := p.src.Columns(); cols != nil {
		if req.From == "" {
			p.hint = senderHint(cols)
		}
		if p.dropped, err = p.norm.CheckColumns(cols); err != nil {
			if p.hint != "" {
				err = fmt.Errorf("%w\n%s", err, p.hint)
			}
			return nil, contact.InvalidImport(fmt.Errorf("%s: %w", req.FileName, err))
		}
	}
	// Read one row ahead so that a file without rows stores nothing at all (no source, no list).
	peek := &peekedSource{RowSource: p.src, held: true}
	peek.rec, peek.err = p.src.Next()
	p.src = peek
	if errors.Is(peek.err, io.EOF) && resume == 0 {
		return nil, p.noDataRows()
	}
	if req.DryRun {
		return p, nil
	}
	if resume != 0 {
		err = s.resumeImport(ctx, p, resume)
	} else {
		err = s.startImport(ctx, p)
	}
	if err != nil {
		return p, err
	}
	defer func() {
		if err != nil {
			p.done()
		}
	}()
	if p.release, err = s.st.ClaimImport(ctx, p.im.ID); err != nil {
		return p, err
	}
	if resume != 0 { // read again under the claim: another process may have finished it meanwhile
		err = s.resumeImport(ctx, p, resume)
	}
	return p, err
}

func (s *Service) startImport(ctx context.Context, p *preparedImport) error {
	req := &p.req
	if req.List != "" {
		l, err := s.lists.EnsureList(ctx, p.req.WorkspaceID, req.List)
		if err != nil {
			return err
		}
		p.list = l.ID
	}
	srcIn := req.Source
	srcIn.WorkspaceID = p.req.WorkspaceID
	if srcIn.Evidence == nil {
		srcIn.Evidence = map[string]string{}
	}
	srcIn.Evidence["import_file"] = req.FileName
	if srcIn.Description == "" {
		srcIn.Description = "import of " + req.FileName
	}
	im := Import{WorkspaceID: p.req.WorkspaceID, FileName: req.FileName, StartedBy: starter(ctx),
		OnConflict: string(req.OnConflict), ReportPath: reportPath(*req)}
	if p.list != 0 {
		im.ListID = &p.list
	}
	var err error
	_, p.im, err = s.st.StartImport(ctx, srcIn, im) // audited once, when the import ends
	return err
}

func (s *Service) resumeImport(ctx context.Context, p *preparedImport, id int64) error {
	im, err := s.st.Import(ctx, p.req.WorkspaceID, id)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	if im.Status == Done {
		return fmt.Errorf("import %d is already complete; nothing to resume", id)
	}
	if im.Status == Cancelled {
		return fmt.Errorf("%w; it cannot be resumed: import the file again to start a new import", cancelledError(im))
	}
	if im.FileName != p.req.FileName {
		return fmt.Errorf("import %d was of %q, not %q: resume with the same file (an upload to the server: leave FILE out)", id, im.FileName, p.req.FileName)
	}
	p.im, p.resume = im, int(im.RowsDone)
	if im.ListID != nil {
		p.list = *im.ListID
	}
	p.req.OnConflict = contact.Conflict(im.OnConflict)
	return nil
}

func reportPath(req contact.ImportRequest) string {
	if req.ReportPath != "" {
		return req.ReportPath
	}
	return req.Path + ".errors.csv"
}

func (s *Service) runImport(ctx context.Context, p *preparedImport) (sum contact.Summary, err error) {
	defer p.file.Close()
	defer p.done()
	rp := reportPath(p.req)
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if p.resume > 0 {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	if p.resume > 0 {
		if err := trimReport(rp, p.resume); err != nil {
			return sum, err
		}
	}
	rf, err := privfile.OpenFile(rp, flags)
	if err != nil {
		return sum, fmt.Errorf("create error report: %w", err)
	}
	report := contact.NewReportWriter(rf)
	if st, err := rf.Stat(); err == nil && st.Size() > 0 {
		report = contact.NewReportAppender(rf) // resumed: the header is there
	}
	opts := contact.RunOptions{
		Batch: contact.Batch{WorkspaceID: p.req.WorkspaceID, SourceID: p.im.SourceID, ListID: p.list,
			ImportID: p.im.ID, OnConflict: p.req.OnConflict},
		DryRun: p.req.DryRun, ResumeAfter: p.resume, Report: report, BytesRead: p.counter.count,
	}
	opts.Progress = p.req.Progress
	opts.RowSource = s.rowSources(ctx, p)
	var writers []contact.BatchWriter
	if !p.req.DryRun {
		for range s.st.ImportWriters() {
			w, err := s.st.ImportWriter(ctx)
			if err != nil {
				rf.Close()
				return sum, err
			}
			defer w.Close()
			writers = append(writers, w)
		}
	}
	sum, err = contact.Run(ctx, p.src, p.norm, writers, opts)
	if err == nil && sum.Rows == 0 && p.resume == 0 {
		err = p.noDataRows()
	}
	if ferr := report.Flush(); err == nil {
		err = ferr
	}
	rf.Close()
	if !p.req.DryRun && errors.Is(err, ErrCancelled) {
		sum.ImportID, sum.SourceID, sum.ListID = p.im.ID, p.im.SourceID, p.list
		return sum, s.endCancelled(ctx, p, &sum, rp)
	}
	sum.ImportID, sum.SourceID, sum.ListID, sum.Dropped = p.im.ID, p.im.SourceID, p.list, p.dropped
	sum.SourcePolicy = sourcePolicy(p.req.Source.Type)
	if p.sender != nil {
		sum.Sender = p.sender.summary()
		sum.Dropped = p.sender.droppedColumns(sum.Dropped)
	}
	if p.hint != "" {
		sum.Notes = append(sum.Notes, p.hint)
	}
	if report.Count() > 0 {
		sum.ReportPath = rp
	} else if p.resume == 0 || onlyHeader(rp) {
		os.Remove(rp)
	} else {
		sum.ReportPath = rp // rows failed before the resume
	}
	// An upload stopped with its server stays running: its job resumes it.
	stopped := err != nil && p.resumable && ctx.Err() != nil
	// An upload's sender summary is kept before its row says done, so that whoever sees it
	// done (the API's GET) also sees the summary.
	if p.resumable && sum.Sender != nil && err == nil {
		if serr := s.saveSender(p.im.ID, sum.Sender); serr != nil {
			s.log.Warn("keep the sender summary", "import", p.im.ID, "err", serr)
		}
	}
	if !p.req.DryRun && !stopped {
		status, msg := Done, ""
		if err != nil {
			status, msg = Failed, err.Error()
		}
		// The import's row must say how it ended even when ctx was cancelled.
		ferr := s.st.FinishImport(context.WithoutCancel(ctx), p.req.WorkspaceID, p.im.ID, status, msg, 0, 0)
		if errors.Is(ferr, ErrCancelled) { // cancelled after its last batch: the cancel stands
			return sum, s.endCancelled(ctx, p, &sum, rp)
		}
		if err == nil {
			err = ferr
		}
	}
	if err != nil && p.im.ID != 0 && !errors.Is(err, contact.ErrInvalidImport) {
		return sum, fmt.Errorf("import %s: %w (committed rows are kept; continue with --resume %d)", p.req.FileName, err, p.im.ID)
	}
	return sum, err
}

// onlyHeader says whether the error report at path holds no row (nothing failed so far).
func onlyHeader(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Size() <= int64(len("row,column,value,reason\r\n"))
}

// noDataRows is the error for a file that holds no rows to import.
func (p *preparedImport) noDataRows() error {
	if p.src.Columns() != nil {
		return contact.InvalidImport(fmt.Errorf("%s has a header but no data rows", p.req.FileName))
	}
	return contact.InvalidImport(fmt.Errorf("%s has no data rows", p.req.FileName))
}

// countingReader counts the bytes read through it, for progress on large files.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) count() int64 { return c.n }

// peekedSource returns a record read ahead of time, then reads on.
type peekedSource struct {
	contact.RowSource
	rec  contact.Record
	err  error
	held bool
}

func (p *peekedSource) Next() (contact.Record, error) {
	if p.held {
		p.held = false
		return p.rec, p.err
	}
	return p.RowSource.Next()
}

// sourcePolicy looks up what the default policy says of a source type, for the summary.
func sourcePolicy(slug string) *contact.SourcePolicy {
	t, err := policy.ParseSourceType(slug)
	if err != nil {
		return nil
	}
	info, ok := policy.Default().Source(t)
	if !ok {
		return nil
	}
	sp := &contact.SourcePolicy{Marketing: info.Default, RuleID: info.RuleID, Text: info.Description, Citation: info.Citation}
	if info.Default == "allow" {
		return sp
	}
	sp.ByJurisdiction = policy.Default().SourceJurisdictions(t, time.Now())
	if info.Default == "refuse" {
		for _, j := range sp.ByJurisdiction {
			if j.Outcome != "refused" {
				// Refused by default, not everywhere: say so, not "refused".
				sp.Marketing = "conditional"
				sp.Text = strings.TrimPrefix(sp.Text, "refused: ")
				break
			}
		}
	}
	return sp
}

// consentOptions prepares the reading of the file's consent columns: the workspace's
// purposes, the default purpose (which must be one of them), the actor the entries name, and
// the ledger look-up a row that only confirms needs.
func (s *Service) consentOptions(ctx context.Context, req contact.ImportRequest) (contact.ConsentOptions, error) {
	ps, err := s.st.Purposes(ctx, req.WorkspaceID)
	if err != nil {
		return contact.ConsentOptions{}, err
	}
	co := contact.ConsentOptions{Purpose: strings.ToLower(strings.TrimSpace(req.ConsentPurpose))}
	for _, p := range ps {
		co.Purposes = append(co.Purposes, p.Name)
	}
	if co.Purpose != "" && !slices.Contains(co.Purposes, co.Purpose) {
		return co, contact.InvalidImport(fmt.Errorf("--consent-purpose %q is not a purpose of this workspace: use one of %s, or add it first (clearlist consent purpose add NAME)",
			co.Purpose, strings.Join(co.Purposes, ", ")))
	}
	co.Actor = actorName(ctx)
	ws := req.WorkspaceID
	co.Granted = func(email, purpose string, ch consent.Channel) (bool, error) {
		c, err := s.st.ContactByEmail(ctx, ws, email)
		if errors.Is(err, errs.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		st, err := s.st.ConsentState(ctx, ws, c.ID, purpose, ch)
		if err != nil {
			return false, err
		}
		return st.Active(), nil
	}
	return co, nil
}

// rowSources returns the RowSource of an import: rows whose evidence_<key> cells give evidence
// of their own get a source of the import's type whose evidence is the file's (--evidence)
// with the row's over it, one source per distinct set, so that the policy reads each
// contact's evidence where it reads the file's.
func (s *Service) rowSources(ctx context.Context, p *preparedImport) func(map[string]string) (int64, error) {
	made := map[string]int64{}
	var base *contact.Source // the import's source, as recorded (also when resumed)
	return func(ev map[string]string) (int64, error) {
		keys := slices.Sorted(maps.Keys(ev))
		var k strings.Builder
		for _, key := range keys {
			k.WriteString(key + "=" + strconv.Quote(ev[key]) + ";")
		}
		if id, ok := made[k.String()]; ok {
			return id, nil
		}
		if base == nil {
			b, err := s.st.Source(ctx, p.req.WorkspaceID, p.im.SourceID)
			if err != nil {
				return 0, err
			}
			base = &b
		}
		src := *base
		src.ID, src.CreatedAt = 0, time.Time{}
		src.Evidence = maps.Clone(src.Evidence)
		if src.Evidence == nil {
			src.Evidence = map[string]string{}
		}
		maps.Copy(src.Evidence, ev)
		src.Evidence["import_file"] = p.req.FileName
		src.Description = fmt.Sprintf("import of %s, rows with their own evidence (%s)", p.req.FileName, strings.TrimSuffix(k.String(), ";"))
		if len(src.Description) > 500 {
			src.Description = src.Description[:500]
		}
		out, err := s.st.CreateSource(ctx, src)
		if err != nil {
			return 0, err
		}
		made[k.String()] = out.ID
		return out.ID, nil
	}
}

// actorName names the import's actor as its consent and do-not-contact entries record it.
func actorName(ctx context.Context) string {
	a := audit.ActorFrom(ctx)
	if a.Kind == audit.Unknown || a.Kind == "" {
		return "import"
	}
	name := string(a.Kind)
	if a.ID != "" {
		name += ":" + a.ID
	}
	return name
}

// starter names who starts an import, for the listing: the actor's kind and its name (a
// user's e-mail address, a token's name) or id.
func starter(ctx context.Context) string {
	a := audit.ActorFrom(ctx)
	switch {
	case a.Kind == audit.Unknown || a.Kind == "":
		return ""
	case a.Name != "":
		return string(a.Kind) + " " + a.Name
	case a.ID != "":
		return string(a.Kind) + " " + a.ID
	}
	return string(a.Kind)
}

package bench

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/contact"
)

// ImportResult is what `clearlist bench import` measured.
type ImportResult struct {
	Engine      string  `json:"engine"`
	Rows        int     `json:"rows"`
	Imported    int     `json:"imported"`
	ImportSecs  float64 `json:"import_seconds"`
	ImportRate  float64 `json:"import_rows_per_second"`
	PlainSecs   float64 `json:"plain_insert_seconds"`
	PlainRate   float64 `json:"plain_insert_rows_per_second"`
	Ratio       float64 `json:"import_to_plain_ratio"`
	PeakRSSMiB  float64 `json:"import_peak_rss_mib"` // the process's peak resident memory by the end of the import
	GeneratedIn string  `json:"file"`
	// With consent columns (ImportOptions.Consent): the ledger entries written, and the
	// time `consent verify` took to check the chain afterwards.
	ConsentEntries int     `json:"consent_entries,omitempty"`
	VerifySecs     float64 `json:"verify_seconds,omitempty"`
	ChainIntact    bool    `json:"chain_intact,omitempty"`
}

// ImportOptions varies the benchmark.
type ImportOptions struct {
	// Consent adds consent columns to every row (sign-up time, IP, wording, confirmation time
	// and IP): each row then writes a granted and a confirmed ledger entry.
	Consent bool
}

// attributes are the nine attributes of the generated rows.
var attributes = []contact.Attribute{
	{Name: "first_name", Type: contact.AttrText, Purpose: "personal greeting"},
	{Name: "last_name", Type: contact.AttrText, Purpose: "personal greeting"},
	{Name: "company", Type: contact.AttrText, Purpose: "B2B segmentation"},
	{Name: "company_size", Type: contact.AttrNumber, Purpose: "B2B segmentation"},
	{Name: "industry", Type: contact.AttrText, Purpose: "B2B segmentation"},
	{Name: "country", Type: contact.AttrText, Purpose: "jurisdiction"},
	{Name: "job_role", Type: contact.AttrText, Purpose: "relevance of content"},
	{Name: "city", Type: contact.AttrText, Purpose: "event invitations"},
	{Name: "customer_since", Type: contact.AttrDate, Purpose: "soft opt-in eligibility"},
}

// Import generates rows of e-mail + 9 attributes in dir, imports them into a list with
// provenance, then bulk-inserts the same file into a plain table, and reports both rates and
// the process's peak resident memory during the import. The workspace must be a fresh one.
func Import(ctx context.Context, a *app.App, rows int, dir string, o ImportOptions, progress func(string)) (ImportResult, error) {
	res := ImportResult{Engine: a.Dialect(), Rows: rows}
	path := filepath.Join(dir, fmt.Sprintf("bench-%d.csv", rows))
	if err := generateFile(path, rows, o.Consent); err != nil {
		return res, err
	}
	res.GeneratedIn = path
	for _, at := range attributes {
		if err := seeder(a).AddAttribute(ctx, a.Workspace.ID, at); err != nil {
			return res, fmt.Errorf("bench needs a fresh workspace: %w", err)
		}
	}
	progress(fmt.Sprintf("importing %d rows into %s…", rows, res.Engine))
	start := time.Now()
	req := contact.ImportRequest{Path: path, List: "bench",
		Source: contact.Source{Type: "api", Description: "clearlist bench import"}}
	if o.Consent {
		req.Source.Type, req.ConsentPurpose = "web-form-double-opt-in", "newsletter"
	}
	sum, err := a.Imports.Import(ctx, a.Workspace.ID, req, 0)
	if err != nil {
		return res, err
	}
	res.ImportSecs = time.Since(start).Seconds()
	res.Imported = sum.Inserted
	if sum.Failed > 0 || sum.Inserted != rows {
		return res, fmt.Errorf("bench import stored %d of %d rows (%d failed, report %s)", sum.Inserted, rows, sum.Failed, sum.ReportPath)
	}
	res.ImportRate = float64(rows) / res.ImportSecs
	res.PeakRSSMiB = peakRSSMiB()
	res.ConsentEntries = sum.Consents
	if o.Consent {
		if sum.Consents != 2*rows {
			return res, fmt.Errorf("bench import wrote %d consent entries, want %d", sum.Consents, 2*rows)
		}
		progress("verifying the consent ledger…")
		start := time.Now()
		v, err := a.Consents.Verify(ctx, a.Workspace.ID)
		if err != nil {
			return res, err
		}
		res.VerifySecs, res.ChainIntact = time.Since(start).Seconds(), v.Intact
		if !v.Intact || v.Entries != int64(2*rows) {
			return res, fmt.Errorf("consent verify after the bench import: intact %v, %d entries", v.Intact, v.Entries)
		}
	}
	progress("plain single-table bulk insert of the same file…")
	f, err := os.Open(path)
	if err != nil {
		return res, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	if _, err := cr.Read(); err != nil { // header
		return res, err
	}
	start = time.Now()
	n, err := seeder(a).PlainBulkInsert(ctx, 1+len(attributes), func() ([]any, error) {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		row := make([]any, 1+len(attributes)) // the contact's columns only
		for i, v := range rec[:len(row)] {
			row[i] = strings.Clone(v)
		}
		return row, nil
	})
	if err != nil {
		return res, fmt.Errorf("plain bulk insert: %w", err)
	}
	res.PlainSecs = time.Since(start).Seconds()
	res.PlainRate = float64(n) / res.PlainSecs
	res.Ratio = res.ImportRate / res.PlainRate
	return res, nil
}

func generateFile(path string, rows int, consent bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("email")
	for _, at := range attributes {
		w.WriteString("," + at.Name)
	}
	if consent {
		w.WriteString(",consent_at,consent_ip,consent_wording,consent_confirmed_at,consent_confirmed_ip")
	}
	w.WriteString("\n")
	signup := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	industries := []string{"retail", "banking", "health care", "logistics", "software", "energy", "education"}
	roles := []string{"CEO", "CTO", "Head of Marketing", "Buyer", "Engineer", "Office manager"}
	cities := []string{"Berlin", "Paris", "Amsterdam", "Madrid", "Milano", "Warszawa", "Stockholm", "London", "Toronto"}
	countries := []string{"DE", "FR", "NL", "ES", "IT", "PL", "SE", "GB", "CA"}
	for i := 0; i < rows; i++ {
		k := i % len(cities)
		fmt.Fprintf(w, "Person.%d@Company%d.example,Anna%d,Schmidt%d,\"Company %d, Ltd\",%d,%s,%s,%s,%s,20%02d-%02d-%02d",
			i, i%20000, i%977, i%1013, i%20000, 1+i%5000, industries[i%len(industries)], countries[k],
			roles[i%len(roles)], cities[k], 10+i%15, 1+i%12, 1+i%28)
		if consent {
			at := signup.Add(time.Duration(i) * 17 * time.Second)
			fmt.Fprintf(w, ",%s,198.51.%d.%d,\"Yes, send me the monthly newsletter. I can unsubscribe at any time.\",%s,198.51.%d.%d",
				at.Format(time.RFC3339), i%256, (i/256)%256, at.Add(7*time.Minute).Format(time.RFC3339), (i+1)%256, (i/256)%256)
		}
		w.WriteString("\n")
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// peakRSSMiB reads the process's peak resident set size (VmHWM) on Linux; 0 elsewhere.
func peakRSSMiB() float64 { return MemoryMiB("VmHWM") }

// MemoryMiB reads a memory line of /proc/self/status (VmRSS, VmHWM) in MiB on Linux; 0
// elsewhere.
func MemoryMiB(key string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

package dsn

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode the charsets real bounces use (ISO-2022-JP, Shift_JIS, KOI8-R, …)
	"github.com/emersion/go-message/textproto"
)

// The bounds that keep a huge or hostile message cheap: what tells why a message bounced is in
// its first kilobytes, so everything past these limits is ignored.
const (
	maxInput    = 8 << 20  // bytes of the raw message looked at
	maxPartRead = 2 << 20  // bytes read of any one MIME part
	maxParts    = 64       // MIME parts walked
	maxDepth    = 8        // multipart nesting followed
	maxTextKeep = 64 << 10 // bytes of text kept for Report.Text and the scan
	maxRcpts    = 1000     // recipients taken from one report
	maxLineScan = 4000     // lines of text scanned for recipients
	maxDiagLen  = 4 << 10  // bytes of one recipient's diagnostic
	familyScan  = 8 << 10  // bytes of the raw message searched for MTA family signatures
	_           = maxRcpts // (documented bound)
	_           = maxDiagLen
)

// ErrNotMessage is returned for input that has no message header at all.
var ErrNotMessage = errors.New("dsn: not an e-mail message (no header found)")

// part is one leaf of the MIME tree, decoded.
type part struct {
	ctype  string // lower-cased media type
	params map[string]string
	header message.Header
	body   []byte
	depth  int
}

// Parse reads one received message (a bounce, a complaint, an auto-reply or a person's reply)
// and tells what it is and, for each recipient it reports on, why delivery failed. It never
// panics; a message it cannot read as MIME is scanned as plain text.
func Parse(raw []byte) (rep *Report, err error) {
	defer func() {
		if p := recover(); p != nil {
			rep, err = nil, fmt.Errorf("dsn: unreadable message: %v", p)
		}
	}()
	if len(raw) > maxInput {
		raw = raw[:maxInput]
	}
	raw = skipMboxLine(raw)
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, ErrNotMessage
	}
	ent, br, err := readEntity(raw)
	if ent == nil {
		if err == nil {
			err = ErrNotMessage
		}
		return nil, fmt.Errorf("dsn: unreadable message header: %w", err)
	}
	var parts []part
	walk(ent, 0, &parts)
	if br != nil {
		// Every part has been read and copied: nothing reads the message through it again.
		br.Reset(nil)
		headerReaders.Put(br)
	}
	if len(parts) == 0 {
		// A multipart whose boundary never occurs (it happens): read the body as text.
		if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
			parts = append(parts, part{ctype: "text/plain", body: clipBytes(raw[i+2:], maxPartRead)})
		} else if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
			parts = append(parts, part{ctype: "text/plain", body: clipBytes(raw[i+4:], maxPartRead)})
		}
	}

	rep = &Report{Kind: KindReply}
	rep.From = headerText(ent.Header, "From")
	rep.Subject = headerText(ent.Header, "Subject")

	p := &parser{raw: raw, top: ent.Header, parts: parts, rep: rep, diagTypes: map[string]string{}, verdicts: map[string]string{}, statusNotes: map[string]string{}}
	p.run()
	return rep, nil
}

// readEntity is message.Read with a reused reader (returned for the caller to give back once
// the body is read), for the messages too small to reach go-message's header bound; larger
// ones go through message.Read itself, so that the bound applies as it did.
func readEntity(raw []byte) (*message.Entity, *bufio.Reader, error) {
	if len(raw) >= maxHeaderBytes-1 {
		e, err := message.Read(bytes.NewReader(raw))
		return e, nil, err
	}
	br := headerReaders.Get().(*bufio.Reader)
	br.Reset(bytes.NewReader(raw))
	h, err := textproto.ReadHeader(br)
	if err != nil {
		br.Reset(nil)
		headerReaders.Put(br)
		return nil, nil, err
	}
	e, err := message.New(message.Header{Header: h}, br)
	return e, br, err
}

func skipMboxLine(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			return raw[i+1:]
		}
	}
	return raw
}

// walk flattens the MIME tree into parts, bounded in count, depth and bytes read.
func walk(e *message.Entity, depth int, out *[]part) {
	if len(*out) >= maxParts {
		return
	}
	ct, params, _ := e.Header.ContentType()
	ct = strings.ToLower(ct)
	if ct == "" {
		ct = "text/plain"
	}
	if mr := e.MultipartReader(); mr != nil && depth < maxDepth {
		for len(*out) < maxParts {
			child, err := mr.NextPart()
			if err != nil {
				if child == nil {
					return
				}
			}
			if child == nil {
				return
			}
			walk(child, depth+1, out)
		}
		return
	}
	buf := partBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	_, _ = buf.ReadFrom(io.LimitReader(e.Body, maxPartRead))
	body := append(make([]byte, 0, buf.Len()), buf.Bytes()...) // never nil, as io.ReadAll's
	if buf.Cap() <= 256<<10 {
		partBuffers.Put(buf) // the rare huge part's buffer is let go
	}
	*out = append(*out, part{ctype: ct, params: params, header: e.Header, body: body, depth: depth})
}

// headerText is a header field decoded (RFC 2047) and unfolded.
func headerText(h message.Header, key string) string {
	v, err := h.Text(key)
	if err != nil || v == "" {
		v = h.Get(key)
	}
	return collapseSpace(v)
}

type parser struct {
	raw   []byte
	top   message.Header
	parts []part
	rep   *Report
	text  string // the human-readable part(s) of the report
	own   string // text up to where a quoted copy of the returned message begins
	// ownLower is own lower-cased, when textAbout has needed it.
	ownLower *string
	// diagTypes is each recipient's Diagnostic-Code type (smtp, x-unix, …), lower-cased.
	diagTypes map[string]string
	// verdicts is the sending MTA's own verdict on a recipient (categories.tsv).
	verdicts map[string]string
	// statusNotes is the comment after a recipient's Status code.
	statusNotes map[string]string
	start       int // where in text that copy begins, -1 for none
}

func (p *parser) run() {
	defer p.envelopeSender()
	p.text = p.readableText()
	p.rep.Text = p.text
	p.own, p.start = p.text, originalStart(p.text)
	if p.start >= 0 {
		p.own = p.text[:p.start]
	}
	p.original()

	// An ARF complaint.
	for _, pt := range p.parts {
		if pt.ctype == "message/feedback-report" {
			p.complaint(pt)
			return
		}
	}
	// A standard DSN; a message may carry more than one (a report of reports).
	found := false
	for _, pt := range p.parts {
		if pt.ctype == "message/delivery-status" || pt.ctype == "message/global-delivery-status" {
			if p.deliveryStatus(pt) {
				found = true
			}
		}
	}
	if found {
		p.finish()
		return
	}
	if pt, ok := p.rawDeliveryStatus(); ok && p.deliveryStatus(pt) {
		// A delivery-status part the MIME structure hid (a broken boundary).
		p.finish()
		return
	}
	if p.sesJSON() {
		return
	}
	if p.unsubscribeRequest() {
		return
	}
	if p.isAutoReply() && !bounceFromRe.MatchString(p.top.Get("From")) && !bounceSubjectRe.MatchString(p.rep.Subject) {
		// Marked as an auto-reply by someone who is no mail system: a vacation notice,
		// even when it quotes an address or a code.
		p.autoReply()
		return
	}
	if p.looksLikeBounce() {
		p.scanText()
		if len(p.rep.Recipients) > 0 {
			p.finish()
			return
		}
	}
	if p.isAutoReply() {
		p.autoReply()
	}
}

// envelopeSender fills Original.ReturnPath, when the report did not tell it, from where the
// report itself was delivered: a bounce goes to the envelope sender (our VERP address), which
// the receiving side records in X-Original-To or Delivered-To and most MTAs put in To.
func (p *parser) envelopeSender() {
	if p.rep.Original.ReturnPath != "" || (p.rep.Kind != KindBounce && p.rep.Kind != KindDelivered) {
		return
	}
	for _, k := range []string{"X-Original-To", "Delivered-To", "To"} {
		if a := firstAddress(p.top.Get(k)); a != "" {
			p.rep.Original.ReturnPath = a
			return
		}
	}
}

func (p *parser) autoReply() {
	p.rep.Kind = KindAutoReply
	if a := firstAddress(p.rep.From); a != "" {
		p.rep.Recipients = []Recipient{{Address: a, Reason: "vacation"}}
	}
}

// unsubscribeRequest tells a mail client's automatic answer to a List-Unsubscribe mailto
// (Apple Mail sends one with the subject "unsubscribe"): the sender's own opt-out, taken as a
// complaint of type opt-out.
func (p *parser) unsubscribeRequest() bool {
	if !strings.EqualFold(strings.TrimSpace(p.rep.Subject), "unsubscribe") {
		return false
	}
	as := strings.ToLower(p.top.Get("Auto-Submitted"))
	if !strings.HasPrefix(as, "auto-") {
		return false
	}
	a := firstAddress(p.rep.From)
	if a == "" {
		return false
	}
	p.rep.Kind = KindComplaint
	p.rep.FeedbackType = "opt-out"
	p.rep.Recipients = []Recipient{{Address: a, Reason: "feedback"}}
	return true
}

// finish fills each recipient's details the report left out and classifies it.
func (p *parser) finish() {
	p.rep.Kind = KindBounce
	allDelivered := true
	// The report's own words, before the returned message: bounded, read once.
	own := clip(p.own, maxDiagLen)
	ownLower := strings.ToLower(collapseSpace(own))
	textCommand := findCommandLower(ownLower)
	var ownHits hits // scanned once for all recipients, when a family's rules need it
	if len(p.rep.Recipients) > 1 && ownLower != "" {
		ownHits = rules.index.scan(ownLower)
	}
	families := detectFamilies(p.raw[:min(len(p.raw), familyScan)])
	for i := range p.rep.Recipients {
		r := &p.rep.Recipients[i]
		r.Diagnostic = clip(collapseSpace(r.Diagnostic), maxDiagLen)
		if r.ReplyCode == "" {
			r.ReplyCode = findReply(r.Diagnostic)
		}
		r.Status = preferStatus(r.Status, findStatus(r.Diagnostic), r.ReplyCode)
		if r.ReplyCode != "" && strings.Contains(r.Diagnostic, r.ReplyCode+"-") {
			// A multi-line reply the DSN cut to its first line: the transcript has the rest.
			r.Diagnostic = moreLines(r.Diagnostic, own, r.ReplyCode)
		}
		r.Diagnostic = dropContinuations(r.Diagnostic)
		if r.Command == "" {
			r.Command = findCommand(r.Diagnostic)
		}
		if r.Command == "" {
			r.Command = textCommand
		}
		// The remote MTA and the recipient's domain tell the receiving provider.
		rhost := detectFamilies(r.RemoteMTA + " @" + r.Address[strings.LastIndexByte(r.Address, '@')+1:])
		diag := r.Diagnostic
		if n := p.statusNotes[r.Address]; n != "" {
			diag += " " + n // the words after the Status code: "5.2.1 (mailbox disabled, …)"
		}
		r.Reason = classify(facts{status: r.Status, reply: r.ReplyCode, diag: diag, action: r.Action, command: r.Command,
			families: families, rhost: rhost, diagType: p.diagTypes[r.Address], context: ownLower, contextHits: ownHits, verdict: p.verdicts[r.Address]})
		if (r.Reason == "onhold" || r.Reason == "undefined") && len(p.rep.Recipients) == 1 {
			// The report's own words (its subject and text) may say what the recipient's
			// line did not.
			if alt := classify(facts{status: r.Status, diag: p.rep.Subject + " " + own, action: r.Action, command: r.Command}); alt != "onhold" && alt != "undefined" {
				r.Reason = alt
			}
		}
		r.Hard = isHard(r.Reason, facts{status: r.Status, reply: r.ReplyCode, diag: r.Diagnostic})
		if r.Reason != "delivered" {
			allDelivered = false
		}
	}
	if allDelivered && len(p.rep.Recipients) > 0 {
		p.rep.Kind = KindDelivered
	}
}

// moreLines adds to a diagnostic the lines of the report's text that continue the same SMTP
// reply ("550-5.7.1 …", "<<< 550-5.7.1 …").
func moreLines(diag, text, code string) string {
	var b strings.Builder
	b.WriteString(diag)
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "<> "))
		if (strings.HasPrefix(t, code+"-") || strings.HasPrefix(t, code+" ")) && !strings.Contains(diag, t[4:]) {
			if st := findStatus(t[4:min(len(t), 14)]); st != "" && strings.HasPrefix(t[4:], st) {
				t = t[:4] + strings.TrimLeft(t[4+len(st):], " ")
			}
			b.WriteString(" ")
			b.WriteString(t[4:])
		}
		if b.Len() > maxDiagLen {
			break
		}
	}
	return b.String()
}

// collapseSpace unfolds s to one line: every run of white space becomes one space, trimmed.
// ASCII bytes take a path of their own; other runes are decoded (an invalid byte becomes
// U+FFFD, as ranging over the string did).
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
				space = b.Len() > 0
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteByte(c)
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == 0x85 || r == 0xA0 {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

var continuationRe = regexp.MustCompile(`(?:^|\s)[245]\d\d[- ](?:#?[245]\.\d{1,3}\.\d{1,3}\s)?`)

// dropContinuations removes the reply and status codes that start each line of a multi-line
// reply once unfolded ("550-5.7.1 … 550-5.7.1 …"), keeping the first, so that the words read on.
func dropContinuations(d string) string {
	if strings.Count(d, "-") == 0 {
		return d
	}
	n := 0
	return strings.TrimSpace(continuationRe.ReplaceAllStringFunc(d, func(m string) string {
		n++
		if n == 1 || !strings.Contains(m, "-") && !strings.HasPrefix(strings.TrimSpace(m), d[:min(3, len(d))]) {
			return m
		}
		return " "
	}))
}

func clipBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// rawDeliveryStatus finds a message/delivery-status body in text the MIME reader did not
// split into parts: from the blank line after its Content-Type to the next boundary line.
func (p *parser) rawDeliveryStatus() (part, bool) {
	text := p.text
	low := strings.ToLower(text)
	i := strings.Index(low, "content-type: message/delivery-status")
	if i < 0 {
		return part{}, false
	}
	rest := strings.ReplaceAll(text[i:], "\r", "")
	j := strings.Index(rest, "\n\n")
	if j < 0 {
		return part{}, false
	}
	rest = rest[j+2:]
	var out []string
	for _, line := range strings.Split(rest, "\n") {
		if strings.HasPrefix(line, "--") || strings.HasPrefix(strings.ToLower(line), "content-type:") {
			break
		}
		out = append(out, line)
	}
	return part{ctype: "message/delivery-status", body: []byte(strings.Join(out, "\n"))}, true
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// readableText is the text of the report's human-readable parts (not the returned message),
// HTML reduced to text when there is no plain text.
func (p *parser) readableText() string {
	var b strings.Builder
	var html []byte
	for _, pt := range p.parts {
		if b.Len() >= maxTextKeep {
			break
		}
		if isAttachment(pt.header) && !strings.HasPrefix(pt.ctype, "text/plain") {
			continue
		}
		switch {
		case pt.ctype == "text/plain" || pt.ctype == "text/enriched":
			b.Write(pt.body)
			b.WriteString("\n")
		case pt.ctype == "text/html" && html == nil:
			html = pt.body // converted only when there is no plain text
		case pt.ctype == "message/rfc822" || pt.ctype == "text/rfc822-headers" || pt.ctype == "message/partial":
			// the returned message: stop, what follows is not the report's own text
			if b.Len() > 0 || html != nil {
				goto done
			}
		}
	}
done:
	s := b.String()
	if strings.TrimSpace(s) == "" && html != nil {
		s = htmlToText(html)
	}
	return clip(strings.ReplaceAll(s, "\r", ""), maxTextKeep)
}

func isAttachment(h message.Header) bool {
	d, _, _ := h.ContentDisposition()
	return d == "attachment"
}

var entities = strings.NewReplacer("&nbsp;", " ", "&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`, "&#39;", "'")

// htmlToText reduces HTML to its text: line-breaking tags (br, the ends of p, div, tr, li and
// headings) become newlines, script and style blocks and every other tag go. It is two plain
// scans, not regular expressions, which took a tenth of Parse's time (htmlRegexps in the tests
// is the former version, and FuzzHTMLToText holds them equal).
func htmlToText(b []byte) string {
	s := string(b)
	if len(s) > maxTextKeep*2 {
		s = s[:maxTextKeep*2]
	}
	return entities.Replace(stripTags(breakTags(s)))
}

// breakTags replaces <br…>, </p…>, </div…>, </tr…>, </li…> and </hN…> (any case) by "\n".
func breakTags(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		n := breakName(s[i+1:])
		if n == 0 {
			continue
		}
		end := strings.IndexByte(s[i+1+n:], '>')
		if end < 0 {
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:i])
		b.WriteByte('\n')
		last = i + 1 + n + end + 1
		i = last - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// breakName is the length of a line-breaking tag's name at the start of s (after its "<"),
// followed by a word break, or 0.
func breakName(s string) int {
	n := 0
	switch {
	case len(s) >= 2 && lowerIs(s[0], 'b') && lowerIs(s[1], 'r'):
		n = 2
	case len(s) >= 2 && s[0] == '/' && lowerIs(s[1], 'p'):
		n = 2
	case len(s) >= 3 && s[0] == '/' && lowerIs(s[1], 'h') && s[2] >= '0' && s[2] <= '9':
		n = 3
	case len(s) >= 3 && s[0] == '/' && (lowerIs(s[1], 't') && lowerIs(s[2], 'r') || lowerIs(s[1], 'l') && lowerIs(s[2], 'i')):
		n = 3
	case len(s) >= 4 && s[0] == '/' && lowerIs(s[1], 'd') && lowerIs(s[2], 'i') && lowerIs(s[3], 'v'):
		n = 4
	default:
		return 0
	}
	if n < len(s) && isASCIIWord(s[n]) {
		return 0
	}
	return n
}

func lowerIs(c, l byte) bool { return c|0x20 == l }

func isASCIIWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// stripTags removes <script…>…</script> and <style…>…</style> blocks (ending at the first
// closing tag of either) and every other tag.
func stripTags(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		end := -1
		rest := s[i+1:]
		if (strings.HasPrefix(rest, "script") && (len(rest) == 6 || !isASCIIWord(rest[6]))) ||
			(strings.HasPrefix(rest, "style") && (len(rest) == 5 || !isASCIIWord(rest[5]))) {
			end = closingScript(s, i+1)
		}
		if end < 0 {
			if j := strings.IndexByte(rest, '>'); j >= 0 {
				end = i + 1 + j + 1
			}
		}
		if end < 0 {
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:i])
		last = end
		i = end - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// closingScript is the end of the first "</script>" or "</style>" at or after from, or -1.
func closingScript(s string, from int) int {
	for i := from; i < len(s); {
		j := strings.Index(s[i:], "</")
		if j < 0 {
			return -1
		}
		i += j
		switch {
		case strings.HasPrefix(s[i:], "</script>"):
			return i + len("</script>")
		case strings.HasPrefix(s[i:], "</style>"):
			return i + len("</style>")
		}
		i += 2
	}
	return -1
}

// original fills Report.Original from the returned message (or its headers), the DSN's
// envelope fields, and, failing those, the headers quoted in the report's text.
func (p *parser) original() {
	o := &p.rep.Original
	var h message.Header
	found := false
	for _, pt := range p.parts {
		if pt.ctype == "message/rfc822" || pt.ctype == "text/rfc822-headers" || pt.ctype == "message/global" || pt.ctype == "message/global-headers" {
			if hh, ok := readHeader(pt.body); ok {
				h, found = hh, true
				break
			}
		}
	}
	if !found {
		// Inline copies: the header block that follows the text's "copy of the message" line.
		if i := p.start; i >= 0 {
			rest := p.text[i:]
			if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
				rest = rest[nl+1:]
			}
			if hh, ok := readHeader([]byte(rest)); ok {
				h, found = hh, true
			}
		}
	}
	if !found {
		if i := bytes.Index(bytes.ToLower(p.raw[:min(len(p.raw), maxTextKeep*4)]), []byte("\nreturn-path:")); i > 0 && i < maxInput {
			if hh, ok := readHeader(p.raw[i+1:]); ok {
				h, found = hh, true
			}
		}
	}
	if found {
		o.MessageID = strings.Trim(headerText(h, "Message-Id"), "<> ")
		o.ReturnPath = firstAddress(headerText(h, "Return-Path"))
		o.From = headerText(h, "From")
		o.To = headerText(h, "To")
		o.Subject = headerText(h, "Subject")
		o.FeedbackID = headerText(h, "Feedback-Id")
		o.ListID = headerText(h, "List-Id")
		if o.ReturnPath == "" {
			o.ReturnPath = firstAddress(headerText(h, "X-Envelope-From"))
		}
	}
}

// readHeader reads a header block from the start of b, or reports none found.
func readHeader(b []byte) (message.Header, bool) {
	b = skipMboxLine(bytes.TrimLeft(b, "\r\n \t"))
	if len(b) > maxPartRead {
		b = b[:maxPartRead]
	}
	// Cut at the end of the header so a broken body cannot fail the read.
	if i := bytes.Index(b, []byte("\n\n")); i >= 0 {
		b = b[:i+2]
	} else if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
		b = b[:i+4]
	} else {
		b = append(append([]byte{}, b...), '\n', '\n')
	}
	if len(b) > maxHeaderBytes {
		return message.Header{}, false // what go-message refuses as too long a header
	}
	br := headerReaders.Get().(*bufio.Reader)
	br.Reset(bytes.NewReader(b))
	h, err := textproto.ReadHeader(br)
	br.Reset(nil)
	headerReaders.Put(br)
	if err != nil || h.Len() == 0 {
		return message.Header{}, false
	}
	return message.Header{Header: h}, true
}

// maxHeaderBytes is go-message's own bound on a header block.
const maxHeaderBytes = 1 << 20

// partBuffers are reused to read each part's body, which is then copied once at its size:
// io.ReadAll grew a fresh buffer several times per part.
var partBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// headerReaders are reused for the quoted header blocks: only the header is read (the body's
// decoders are not needed), and a fresh 4 KB buffer per message was a quarter of the bytes
// Parse allocated.
var headerReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// fields reads the RFC 822-style field blocks of a message/delivery-status or
// message/feedback-report body: blocks separated by blank lines, continuation lines unfolded.
func fields(body []byte) []map[string][]string {
	var blocks []map[string][]string
	cur := map[string][]string{}
	var last string
	flush := func() {
		if len(cur) > 0 {
			blocks = append(blocks, cur)
		}
		cur, last = map[string][]string{}, ""
	}
	for _, line := range strings.Split(strings.ReplaceAll(string(body), "\r", ""), "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && last != "" {
			vs := cur[last]
			vs[len(vs)-1] += " " + strings.TrimSpace(line)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(k))
		if _, again := cur["final-recipient"]; again && key == "final-recipient" {
			// The next recipient's block without the blank line between (it happens).
			flush()
		}
		last = key
		cur[last] = append(cur[last], strings.TrimSpace(v))
	}
	flush()
	return blocks
}

func first(m map[string][]string, key string) string {
	if v := m[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// typedValue strips the "rfc822;" / "smtp;" / "dns;" type of a DSN field's value.
func typedValue(v string) string {
	if t, rest, ok := strings.Cut(v, ";"); ok && !strings.ContainsAny(t, " @<") && len(t) < 16 {
		return strings.TrimSpace(rest)
	}
	return strings.TrimSpace(v)
}

// deliveryStatus reads a message/delivery-status part; false when it names no recipient.
func (p *parser) deliveryStatus(pt part) bool {
	blocks := fields(pt.body)
	if len(blocks) == 0 {
		return false
	}
	var msgFields map[string][]string
	var rcpts []Recipient
	seen := map[string]int{}
	for _, b := range blocks {
		addr := firstAddress(typedValue(first(b, "final-recipient")))
		if addr == "" {
			addr = firstAddress(typedValue(first(b, "original-recipient")))
		}
		if addr == "" {
			addr = firstAddress(typedValue(first(b, "x-actual-recipient")))
		}
		if addr == "" {
			if msgFields == nil {
				msgFields = b
			}
			continue
		}
		r := Recipient{
			Address:    addr,
			Action:     strings.ToLower(strings.Fields(first(b, "action") + " x")[0]),
			Status:     findStatus(first(b, "status")),
			Diagnostic: typedValue(first(b, "diagnostic-code")),
			RemoteMTA:  typedValue(first(b, "remote-mta")),
		}
		if r.Action == "x" {
			r.Action = ""
		}
		if _, note, ok := strings.Cut(first(b, "status"), " "); ok {
			p.statusNotes[addr] = strings.TrimSpace(note)
		}
		if t, _, ok := strings.Cut(first(b, "diagnostic-code"), ";"); ok {
			p.diagTypes[addr] = strings.ToLower(strings.TrimSpace(t))
		}
		for k := range rules.categories {
			v := strings.ToLower(strings.TrimSpace(first(b, k[0])))
			if v == "" && msgFields != nil {
				v = strings.ToLower(strings.TrimSpace(first(msgFields, k[0])))
			}
			if r, ok := rules.categories[[2]string{k[0], v}]; ok {
				p.verdicts[addr] = r
			}
		}
		if r.Diagnostic == "" {
			r.Diagnostic = p.textAbout(addr, 4)
		} else if len(r.Diagnostic) < 40 {
			// A terse code ("smtp; 550"): the text part often says more.
			if t := p.textAbout(addr, 1); t != "" && !strings.Contains(r.Diagnostic, t) {
				r.Diagnostic = strings.TrimSpace(r.Diagnostic + " " + t)
			}
		}
		if i, ok := seen[addr]; ok {
			// Some MTAs repeat a recipient; keep the more telling block.
			if rcpts[i].Diagnostic == "" {
				rcpts[i] = r
			}
			continue
		}
		seen[addr] = len(rcpts)
		rcpts = append(rcpts, r)
		if len(rcpts) >= maxRcpts {
			break
		}
	}
	if len(rcpts) == 0 || len(p.rep.Recipients)+len(rcpts) > maxRcpts {
		return false
	}
	if msgFields != nil && p.rep.Original.ReturnPath == "" {
		p.rep.Original.ReturnPath = firstAddress(typedValue(first(msgFields, "x-postfix-sender")))

	}
	p.rep.Recipients = append(p.rep.Recipients, rcpts...)
	return true
}

// textAbout is what the report's text says next to an address: the lines from the one that
// names it to the next blank line, or "".
func (p *parser) textAbout(addr string, most int) string {
	text := p.own
	if p.ownLower == nil {
		l := strings.ToLower(text) // once per message, not per recipient
		p.ownLower = &l
	}
	lower := *p.ownLower
	needle := strings.ToLower(addr)
	var parts []string
	for off := 0; off < len(lower) && len(parts) < most; {
		i := strings.Index(lower[off:], needle)
		if i < 0 {
			break
		}
		i += off
		start := strings.LastIndexByte(text[:i], '\n') + 1
		rest := text[start:]
		end := strings.Index(rest, "\n\n")
		if end < 0 {
			end = len(rest)
		}
		seg := strings.TrimSpace(rest[:min(end, maxDiagLen)])
		off = start + max(end, i-start+len(needle))
		if findStatus(seg) == "" && findReply(seg) == "" && !strings.Contains(seg, "\n") && len(seg) < len(addr)+24 {
			// The address alone on its line: the explanation is elsewhere.
			continue
		}
		if !slices.Contains(parts, seg) {
			parts = append(parts, seg)
		}
	}
	return strings.Join(parts, "\n")
}

// complaint reads an ARF report (RFC 5965).
func (p *parser) complaint(pt part) {
	p.rep.Kind = KindComplaint
	blocks := fields(pt.body)
	all := map[string][]string{}
	for _, b := range blocks {
		for k, v := range b {
			all[k] = append(all[k], v...)
		}
	}
	p.rep.FeedbackType = strings.ToLower(strings.TrimSpace(first(all, "feedback-type")))
	var addrs []string
	for _, v := range all["original-rcpt-to"] {
		if a := firstAddress(typedValue(v)); a != "" {
			addrs = append(addrs, a)
		}
	}
	if len(addrs) == 0 {
		for _, v := range all["removal-recipient"] {
			if a := firstAddress(typedValue(v)); a != "" {
				addrs = append(addrs, a)
			}
		}
	}
	if len(addrs) == 0 {
		if a := firstAddress(p.rep.Original.To); a != "" {
			addrs = append(addrs, a)
		}
	}
	if p.rep.Original.ReturnPath == "" {
		p.rep.Original.ReturnPath = firstAddress(typedValue(first(all, "original-mail-from")))
	}
	seen := map[string]bool{}
	for _, a := range addrs {
		if seen[a] || len(p.rep.Recipients) >= maxRcpts {
			continue
		}
		seen[a] = true
		p.rep.Recipients = append(p.rep.Recipients, Recipient{Address: a, Reason: "feedback"})
	}
	if len(p.rep.Recipients) == 0 {
		// Providers often redact the complainant: the complaint still counts, and the
		// original's VERP return path or Message-ID tells whose it is.
		p.rep.Recipients = []Recipient{{Reason: "feedback"}}
	}
}

var autoSubjectRe = regexp.MustCompile(`(?i)^\s*(auto(matic)?[ -]?(reply|response|antwort|réponse)|out of (the )?office|abwesenheit|away from|on vacation|vacation|autoreply|réponse automatique|respuesta automática|自動応答|自动回复|away until|r[ée]ponse en absence)`)

// isAutoReply tells an RFC 3834 auto-reply (and the common non-standard marks of one).
func (p *parser) isAutoReply() bool {
	as := strings.ToLower(p.top.Get("Auto-Submitted"))
	if strings.HasPrefix(as, "auto-replied") {
		return true
	}
	if p.top.Get("X-Autoreply") != "" || p.top.Get("X-Autorespond") != "" || p.top.Get("X-Autoreply-From") != "" || strings.EqualFold(p.top.Get("X-Auto-Response-Suppress"), "all") && autoSubjectRe.MatchString(p.rep.Subject) {
		return true
	}
	prec := strings.ToLower(p.top.Get("Precedence"))
	if prec == "auto_reply" {
		return true
	}
	return autoSubjectRe.MatchString(p.rep.Subject)
}

var (
	bounceFromRe    = regexp.MustCompile(`(?i)(mailer[-_]?daemon|postmaster|mail delivery|mail administrator|mail ?delivery ?(sub)?system|^<>$|bounce|notification|returned|msgdelivery|mdaemon|daemon@|no[-_]?reply)`)
	bounceSubjectRe = regexp.MustCompile(`(?i)(undeliver|undelivered|delivery (status|fail|failure|notification|problem|report)|failure notice|returned mail|could not be delivered|mail delivery|non[- ]?delivery|not delivered|delivery has failed|permanent error|rejected|returned to sender|nondeliverable|mail failure|failed delivery|message failure|warning: could not send|delivery failed|delivery error|error sending|undelivered mail|bounce|not (?:a )?member|メール配送|配信)`)
)

// looksLikeBounce tells a machine-made failure report from a person's message.
func (p *parser) looksLikeBounce() bool {
	from := p.top.Get("From")
	if bounceFromRe.MatchString(from) || bounceSubjectRe.MatchString(p.rep.Subject) {
		return true
	}
	if rp := strings.TrimSpace(p.top.Get("Return-Path")); rp == "<>" {
		return true
	}
	if ct, params, _ := p.top.ContentType(); strings.EqualFold(ct, "multipart/report") || strings.EqualFold(params["report-type"], "delivery-status") {
		return true
	}
	return false
}

// ---- addresses and codes ----

var addrRe = regexp.MustCompile(`[A-Za-z0-9.!#$%&'*+/=?^_{|}~\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+`)

// firstAddress is the first e-mail address in s, its domain lower-cased, or "".
func firstAddress(s string) string {
	if s == "" {
		return ""
	}
	if a, err := mail.ParseAddress(s); err == nil && strings.Contains(a.Address, "@") {
		return normAddr(a.Address)
	}
	m := addrRe.FindString(s)
	if m == "" {
		return ""
	}
	return normAddr(m)
}

func normAddr(a string) string {
	a = strings.Trim(a, "<>\"'., ;:()[]")
	at := strings.LastIndexByte(a, '@')
	if at <= 0 {
		return ""
	}
	return a[:at] + "@" + strings.ToLower(a[at+1:])
}

// findStatus is the first RFC 3463 status code in s ("5.1.1"), or "": a digit 2, 4 or 5, a
// dot, one to three digits, a dot, one to three digits, not within a longer run of digits and
// dots (a version or an IP address) nor followed by a dot that does not end a sentence. A plain
// scan: the regular expression it replaces (statusFindRe in the tests, FuzzFindCodes holds
// them equal) was a tenth of Parse's time.
func findStatus(s string) string {
	for i := 0; i+5 <= len(s); i++ {
		c := s[i]
		if c != '2' && c != '4' && c != '5' || s[i+1] != '.' {
			continue
		}
		if i > 0 && (isDigit(s[i-1]) || s[i-1] == '.') {
			continue
		}
		j := i + 2
		n := digitRun(s[j:])
		if n < 1 || n > 3 || j+n >= len(s) || s[j+n] != '.' {
			continue
		}
		j += n + 1
		n = digitRun(s[j:])
		if n < 1 || n > 3 {
			continue
		}
		j += n
		if j < len(s) && s[j] == '.' && j+1 < len(s) && !isRegexpSpace(s[j+1]) {
			continue
		}
		return s[i:j]
	}
	return ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isRegexpSpace is the regexp package's \s.
func isRegexpSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// digitRun is the number of ASCII digits s starts with.
func digitRun(s string) int {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}

// preferStatus chooses between the status a report's field gives and the one in the remote
// MTA's words: the field is often a generic or ambiguous code where the words are precise.
func preferStatus(field, inText, reply string) string {
	switch {
	case field == "":
		return inText
	case inText == "" || inText == field:
		return field
	}
	if reply != "" && field[0] != inText[0] {
		// The classes differ: trust the one the reply code agrees with.
		if reply[0] == field[0] {
			return field
		}
		if reply[0] == inText[0] {
			return inText
		}
	}
	generic := func(s string) bool { return strings.HasSuffix(s, ".0.0") }
	hasZero := func(s string) bool { return strings.Contains(s[1:], ".0") }
	switch {
	case generic(field):
		if generic(inText) {
			return field
		}
		return inText
	case hasZero(field) && !hasZero(inText):
		return inText
	case generic(inText):
		return field
	case field == "4.4.7", field == "4.7.0", strings.HasPrefix(field, "5.3."):
		// "delivery time expired", "too many errors", "system error": the words say more.
		return inText
	case len(field) >= 4 && field[1:4] == ".5." && field != "5.5.0" && field != "4.5.0":
		return inText
	case field == "5.1.1":
		if hasZero(inText) || strings.HasPrefix(inText, "5.5.") {
			return field
		}
		return inText
	case field == "5.1.3" && strings.HasPrefix(inText, "5.7."):
		return inText
	}
	return field
}

// findReply is the first SMTP reply code in s ("550"), or "": 2, 4 or 5, then 0-7, then a
// digit, followed by a space, a hyphen or the end, and not after a digit, ".", "-", ":", "/"
// or "#" (replyFindRe in the tests is the expression it replaces).
func findReply(s string) string {
	for i := 0; i+3 <= len(s); i++ {
		c := s[i]
		if c != '2' && c != '4' && c != '5' || s[i+1] < '0' || s[i+1] > '7' || !isDigit(s[i+2]) {
			continue
		}
		if i > 0 {
			switch p := s[i-1]; {
			case isDigit(p), p == '.', p == '-', p == ':', p == '/', p == '#':
				continue
			}
		}
		if i+3 < len(s) && s[i+3] != ' ' && s[i+3] != '-' {
			continue
		}
		return s[i : i+3]
	}
	return ""
}

// findCommand is the SMTP command a failure happened at, when the text says.
func findCommand(s string) string {
	return findCommandLower(strings.ToLower(clip(s, maxDiagLen)))
}

// findCommandLower is findCommand on a lower-cased text.
func findCommandLower(low string) string {
	best, cmd := -1, ""
	for _, c := range commandWords {
		for off := 0; off < len(low); {
			i := strings.Index(low[off:], c[0])
			if i < 0 {
				break
			}
			i += off
			off = i + len(c[0])
			if best >= 0 && i >= best {
				break
			}
			if off < len(low) && isWordByte(low[off]) || i > 0 && isWordByte(low[i-1]) {
				continue
			}
			if commandLead(low[max(0, i-16):i]) {
				best, cmd = i, c[1]
				break
			}
		}
	}
	if cmd != "" {
		return cmd
	}
	for _, c := range rules.commands {
		if strings.Contains(low, c[0]) {
			return c[1]
		}
	}
	return ""
}

// commandWords are how a report names the SMTP command a reply answered.
var commandWords = [][2]string{
	{"rcpt to", "RCPT"}, {"mail from", "MAIL"}, {"rcpt", "RCPT"}, {"mail", "MAIL"}, {"data", "DATA"},
	{"ehlo", "EHLO"}, {"helo", "HELO"}, {"starttls", "STARTTLS"}, {"bdat", "DATA"}, {"conn", "CONN"},
}

func isWordByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

// commandLead tells the words before a command name that make it the failing command:
// "in reply to RCPT TO", "after end of DATA", "[RCPT_TO]".
func commandLead(pre string) bool {
	pre = strings.TrimRight(pre, " \t\n")
	pre = strings.TrimSuffix(pre, " the")
	pre = strings.TrimSuffix(pre, " end of")
	for _, w := range []string{"in reply to", "after", "response to", " for", "during", " at", "["} {
		if strings.HasSuffix(pre, w) {
			return true
		}
	}
	return false
}

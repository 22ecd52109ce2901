package dsn

import (
	"embed"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The classification rules are data (rules/*.tsv), so that a new wording is a line in a file
// and a table test, not code. The facts in them (the phrases MTAs use, what the RFC 3463
// codes mean, which reasons are permanent) follow the sisimai project's reason tables.
//
//go:embed rules/*.tsv
var rulesFS embed.FS

// phrase is one wording rule: every part must occur in the lower-cased diagnostic, in order.
type phrase struct {
	reason string
	parts  []string
	family string  // the MTA family whose wording it is, "" for the general lists
	ids    []int32 // the parts' ids in rules.index
}

func (p phrase) match(d string) bool {
	return p.matchText(d)
}

// matchHits is match with the parts found by one scan of d: the substring searches are
// needed only for a phrase of several parts, to check their order.
func (p *phrase) matchHits(d string, h hits) bool {
	for _, id := range p.ids {
		if !h.has(id) {
			return false
		}
	}
	return len(p.ids) == 1 || p.matchText(d)
}

func (p phrase) matchText(d string) bool {
	for _, part := range p.parts {
		i := strings.Index(d, part)
		if i < 0 {
			return false
		}
		d = d[i+len(part):]
	}
	return true
}

// ruleSet is the parsed rules directory.
type ruleSet struct {
	byReason    map[string][]phrase        // the general phrases (phrases.tsv)
	mta         []phrase                   // the MTA families' own wording (mta.tsv), in file order
	mtaByFamily map[string][]int           // family -> the indexes of its wording in mta, ascending
	index       partIndex                  // every part of byReason and mta, found in one pass
	status      map[string]string          // status code -> reason (status.tsv)
	statusPass  []string                   // order.tsv "status"
	wordPass    []string                   // order.tsv "wording"
	hard        map[string]string          // reason -> yes | permanent (hard.tsv)
	commands    [][2]string                // lower-cased phrase, SMTP command (commands.tsv)
	families    [][2]string                // family, lower-cased signature (families.tsv)
	famReason   map[string]string          // family -> its reason when nothing else tells
	sigIndex    map[uint32][]int           // the hash of a signature's first four bytes -> its indexes in families
	sigStart    [1 << hashBits / 64]uint64 // a bit set: whether any signature's first four bytes hash here
	categories  map[[2]string]string       // delivery-status field, value -> reason (categories.tsv)
}

var rules = mustLoadRules()

func mustLoadRules() *ruleSet {
	rs, err := loadRules()
	if err != nil {
		panic("dsn: the embedded rules are broken: " + err.Error())
	}
	return rs
}

// tsvRows reads a rules file: tab-separated, # starts a comment line, blank lines skipped.
func tsvRows(name string) ([][]string, error) {
	b, err := rulesFS.ReadFile("rules/" + name)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 2 {
			return nil, fmt.Errorf("rules/%s line %d: want at least two tab-separated fields", name, n+1)
		}
		rows = append(rows, f)
	}
	return rows, nil
}

// knownReasons is sisimai's taxonomy: every reason a rule may name.
var knownReasons = reasonSet()

func reasonSet() map[string]bool {
	known := map[string]bool{}
	for _, r := range strings.Fields(`userunknown mailboxfull hostunknown filtered rejected blocked
		spamdetected policyviolation virusdetected contenterror mesgtoobig exceedlimit expired suspend
		hasmoved notaccept norelaying onhold authfailure requireptr badreputation securityerror
		systemerror systemfull networkerror mailererror toomanyconn speeding syntaxerror
		notcompliantrfc failedstarttls feedback vacation delivered undefined suppressed`) {
		known[r] = true
	}
	return known
}

func loadRules() (*ruleSet, error) {
	rs := &ruleSet{byReason: map[string][]phrase{}, mtaByFamily: map[string][]int{}, status: map[string]string{}, hard: map[string]string{}}
	check := func(file, r string) error {
		if !knownReasons[r] {
			return fmt.Errorf("rules/%s: unknown reason %q", file, r)
		}
		return nil
	}
	rows, err := tsvRows("phrases.tsv")
	if err != nil {
		return nil, err
	}
	for _, f := range rows {
		if err := check("phrases.tsv", f[0]); err != nil {
			return nil, err
		}
		p := phrase{reason: f[0]}
		switch f[1] {
		case "any":
			p.parts = []string{strings.ToLower(f[2])}
		case "all":
			for _, s := range f[2:] {
				if s != "" {
					p.parts = append(p.parts, strings.ToLower(s))
				}
			}
		default:
			return nil, fmt.Errorf("rules/phrases.tsv: match must be any or all, not %q", f[1])
		}
		rs.byReason[f[0]] = append(rs.byReason[f[0]], p)
	}
	if rows, err = tsvRows("mta.tsv"); err != nil {
		return nil, err
	}
	for _, f := range rows {
		if len(f) < 3 || strings.TrimSpace(f[2]) == "" {
			return nil, fmt.Errorf("rules/mta.tsv: want reason, family, phrase in %q", strings.Join(f, "\t"))
		}
		if err := check("mta.tsv", f[0]); err != nil {
			return nil, err
		}
		rs.mtaByFamily[f[1]] = append(rs.mtaByFamily[f[1]], len(rs.mta))
		rs.mta = append(rs.mta, phrase{reason: f[0], family: f[1], parts: []string{strings.ToLower(f[2])}})
	}
	for _, list := range rs.byReason {
		for i := range list {
			for _, part := range list[i].parts {
				list[i].ids = append(list[i].ids, rs.index.add(part))
			}
		}
	}
	for i := range rs.mta {
		rs.mta[i].ids = []int32{rs.index.add(rs.mta[i].parts[0])}
	}
	if rows, err = tsvRows("status.tsv"); err != nil {
		return nil, err
	}
	for _, f := range rows {
		if !statusRe.MatchString(f[0]) {
			return nil, fmt.Errorf("rules/status.tsv: %q is no status code", f[0])
		}
		if err := check("status.tsv", f[1]); err != nil {
			return nil, err
		}
		rs.status[f[0]] = f[1]
	}
	if rows, err = tsvRows("order.tsv"); err != nil {
		return nil, err
	}
	for _, f := range rows {
		list := strings.Fields(f[1])
		for _, r := range list {
			if err := check("order.tsv", r); err != nil {
				return nil, err
			}
		}
		switch f[0] {
		case "status":
			rs.statusPass = list
		case "wording":
			rs.wordPass = list
		default:
			return nil, fmt.Errorf("rules/order.tsv: unknown pass %q", f[0])
		}
	}
	if rows, err = tsvRows("families.tsv"); err != nil {
		return nil, err
	}
	rs.famReason = map[string]string{}
	rs.sigIndex = map[uint32][]int{}
	for _, f := range rows {
		sig := strings.ToLower(f[1])
		if len(sig) < 4 {
			return nil, fmt.Errorf("rules/families.tsv: signature %q is too short (four bytes at least)", f[1])
		}
		for i := 0; i < len(sig); i++ {
			if sig[i] >= 0x80 {
				return nil, fmt.Errorf("rules/families.tsv: signature %q: only ASCII is matched regardless of case", f[1])
			}
		}
		key := hash4(word4(sig))
		rs.sigIndex[key] = append(rs.sigIndex[key], len(rs.families))
		rs.sigStart[key>>6] |= 1 << (key & 63)
		rs.families = append(rs.families, [2]string{f[0], sig})
		if len(f) > 2 && f[2] != "" {
			if err := check("families.tsv", f[2]); err != nil {
				return nil, err
			}
			rs.famReason[f[0]] = f[2]
		}
	}
	if rows, err = tsvRows("categories.tsv"); err != nil {
		return nil, err
	}
	rs.categories = map[[2]string]string{}
	for _, f := range rows {
		if len(f) < 3 {
			return nil, fmt.Errorf("rules/categories.tsv: want field, value, reason in %q", strings.Join(f, "\t"))
		}
		if err := check("categories.tsv", f[2]); err != nil {
			return nil, err
		}
		rs.categories[[2]string{strings.ToLower(f[0]), strings.ToLower(f[1])}] = f[2]
	}
	if rows, err = tsvRows("commands.tsv"); err != nil {
		return nil, err
	}
	for _, f := range rows {
		switch f[1] {
		case "CONN", "EHLO", "HELO", "MAIL", "RCPT", "DATA", "STARTTLS", "QUIT":
		default:
			return nil, fmt.Errorf("rules/commands.tsv: %q is no SMTP command", f[1])
		}
		rs.commands = append(rs.commands, [2]string{strings.ToLower(f[0]), f[1]})
	}
	if rows, err = tsvRows("hard.tsv"); err != nil {
		return nil, err
	}
	for _, f := range rows {
		if err := check("hard.tsv", f[0]); err != nil {
			return nil, err
		}
		if f[1] != "yes" && f[1] != "permanent" && f[1] != "no" {
			return nil, fmt.Errorf("rules/hard.tsv: %q must be yes, no or permanent", f[1])
		}
		rs.hard[f[0]] = f[1]
	}
	return rs, nil
}

var statusRe = regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}$`)

// phraseMatch tells whether the lower-cased diagnostic has one of a reason's phrases.
func (rs *ruleSet) phraseMatch(reason, d string) bool {
	return rs.phraseMatchH(reason, d, rs.index.scan(d))
}

// phraseMatchH is phraseMatch with the parts the diagnostic has (rs.index.scan).
func (rs *ruleSet) phraseMatchH(reason, d string, h hits) bool {
	list := rs.byReason[reason]
	for i := range list {
		if list[i].matchHits(d, h) {
			return true
		}
	}
	return false
}

// mtaReason is the reason an MTA family's own wording tells, or "".
func (rs *ruleSet) mtaReason(d string) string {
	return rs.mtaReasonH(d, rs.index.scan(d))
}

func (rs *ruleSet) mtaReasonH(d string, h hits) string {
	for i := range rs.mta {
		p := &rs.mta[i]
		if len(p.parts[0]) < minUnscoped {
			continue // too short to mean the same outside its family
		}
		if p.matchHits(d, h) {
			return p.reason
		}
	}
	return ""
}

// noFamilies turns the family rules off (families.tsv, so mta.tsv only as unscoped wording):
// TestAccuracy measures how much they add, as a check against rules that fit the samples only.
var noFamilies = false

// minUnscoped is the shortest MTA wording tried when its family is not known to be involved.
const minUnscoped = 12

// facts is what a classification can go by.
type facts struct {
	status, reply, diag, action, command string
	families                             map[string]bool // the MTA families the message shows
	rhost                                map[string]bool // those the remote MTA or the recipient's domain shows
	diagType                             string          // the Diagnostic-Code's type, lower-cased: smtp, x-unix, x-postfix
	context                              string          // the report's own words, lower-cased: a family's wording there counts too
	verdict                              string          // the sending MTA's own verdict (categories.tsv), or ""
	contextHits                          hits            // the rule parts context has, when already scanned
}

// tentative are the verdicts the rules may overrule: they are tried at their place in the
// first pass, where an earlier reason (a full mailbox, a suspended account, …) wins.
var tentative = map[string]bool{"undefined": true, "onhold": true, "systemerror": true, "securityerror": true,
	"expired": true, "networkerror": true, "hostunknown": true, "userunknown": true}

// detectFamilies is the set of MTA families whose signature occurs in the text, in any case
// (the signatures are lower-case ASCII, so the text need not be lower-cased first: that copy
// of the message's first 8 KB was a tenth of classifying's time).
func detectFamilies[T string | []byte](text T) map[string]bool {
	fams := map[string]bool{}
	if noFamilies {
		return fams
	}
	// One pass over the text, trying at each byte only the signatures whose first four bytes
	// hash as the text's four there do (a bit set that stays in the L1 cache).
	if len(text) < 4 {
		return fams
	}
	w := (uint32(asciiLower[text[0]]) | uint32(asciiLower[text[1]])<<8 | uint32(asciiLower[text[2]])<<16) << 8
	for i := 0; i+4 <= len(text); i++ {
		w = w>>8 | uint32(asciiLower[text[i+3]])<<24
		key := hash4(w)
		if rules.sigStart[key>>6]&(1<<(key&63)) == 0 {
			continue
		}
		for _, k := range rules.sigIndex[key] {
			f := rules.families[k]
			if !fams[f[0]] && hasFoldPrefix(text[i:], f[1]) {
				fams[f[0]] = true
			}
		}
	}
	return fams
}

// asciiLower maps each byte to its ASCII lower case.
var asciiLower = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// hasFoldPrefix tells whether text begins with the lower-case prefix, ASCII case ignored.
func hasFoldPrefix[T string | []byte](text T, prefix string) bool {
	if len(text) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if asciiLower[text[i]] != prefix[i] {
			return false
		}
	}
	return true
}

// Classify tells the reason (sisimai's taxonomy) a delivery failed and whether the address is
// permanently undeliverable, from the status code (RFC 3463, e.g. 5.1.1), the SMTP reply code
// (e.g. 550) and the remote MTA's words. Any argument may be empty.
func Classify(status, replyCode, diagnostic string) (reason string, hard bool) {
	f := facts{status: strings.TrimSpace(status), reply: strings.TrimSpace(replyCode), diag: diagnostic, command: findCommand(diagnostic)}
	if f.status == "" {
		f.status = findStatus(diagnostic)
	}
	if f.reply == "" {
		f.reply = findReply(diagnostic)
	}
	reason = classify(f)
	return reason, isHard(reason, f)
}

func classify(f facts) string {
	d := " " + strings.ToLower(collapseSpace(f.diag)) + " " // spaced: phrases may begin or end with a word break
	if d == "  " {
		d = ""
	}
	switch f.action {
	case "delivered", "relayed", "expanded":
		return "delivered"
	}
	if strings.HasPrefix(f.status, "2.") {
		return "delivered"
	}
	if f.verdict != "" && !tentative[f.verdict] {
		return f.verdict
	}
	sname := rules.status[f.status]
	m := newMatcher(d)
	// The wording of a family the message shows is that family's own verdict; the receiving
	// provider's (remote MTA, recipient's domain) before the others'.
	for k, fams := range []map[string]bool{f.rhost, f.families} {
		if d == "" || len(fams) == 0 {
			continue
		}
		// Only the wording of the families shown, in file order.
		var buf [128]int
		idx := buf[:0]
		for fam := range fams {
			idx = append(idx, rules.mtaByFamily[fam]...)
		}
		slices.Sort(idx)
		context := f.context
		if k == 1 {
			context = "" // the report's words count for the receiving provider's wording only
		}
		// A provider's error code (one token, "AUP#CXBL", "LPN007_416") before its prose;
		// the recipient's own words before the report's.
		for i, text := range []string{d, context} {
			h := m.h
			if i == 1 {
				if text == "" {
					continue
				}
				h = f.contextHits
				if h == nil {
					h = rules.index.scan(text)
					f.contextHits = h
				}
			}
			for _, code := range []bool{true, false} {
				for _, j := range idx {
					p := &rules.mta[j]
					if i == 1 && len(p.parts[0]) < minUnscoped {
						continue // in the report's own words, only a family's longer sentences
					}
					if code == !strings.Contains(p.parts[0], " ") && p.matchHits(text, h) && p.reason != "onhold" && p.reason != "undefined" {
						return p.reason
					}
				}
			}
		}
	}
	mailer := strings.HasPrefix(f.diagType, "x-unix")
	if f.command == "EHLO" || f.command == "HELO" {
		// Refused at the greeting: the sending host is what is refused (for want of a PTR
		// record when the words say so).
		if m.has("requireptr") {
			return "requireptr"
		}
		return "blocked"
	}
	for _, r := range rules.statusPass {
		if mailer {
			break // a local mailer's exit, not an SMTP reply: the SMTP rules do not apply
		}
		if f.verdict == r || probe(r, f, sname, m) {
			return r
		}
	}
	if f.verdict != "" && f.verdict != "onhold" && f.verdict != "undefined" {
		return f.verdict
	}
	if d != "" {
		for _, r := range rules.wordPass {
			if m.has(r) {
				return r
			}
		}
		// The wording of families the message does not show: weaker evidence, so after the
		// general phrases.
		if r := rules.mtaReasonH(d, m.h); r != "" && r != "onhold" && r != "undefined" {
			return r
		}
	}
	if sname != "" {
		return sname
	}
	if len(f.status) >= 3 {
		switch f.status[2] {
		case '6':
			return "contenterror"
		case '7':
			return "securityerror"
		}
	}
	if mailer {
		return "mailererror"
	}
	if n, err := strconv.Atoi(f.reply); err == nil && (n > 500 && n < 508 || n > 400 && n < 408) {
		// 501-507 (and their 4xx twins): the command or its arguments were not understood.
		return "syntaxerror"
	}
	for _, fams := range []map[string]bool{f.rhost, f.families} {
		for fam := range fams {
			if r := rules.famReason[fam]; r != "" {
				return r
			}
		}
	}
	switch {
	case f.action == "delayed":
		return "expired"
	case f.command == "EHLO" || f.command == "HELO" || f.command == "CONN":
		return "blocked"
	case f.command == "MAIL":
		return "rejected"
	case m.has("vacation"):
		return "vacation"
	case d != "" || f.status != "":
		return "onhold"
	}
	return "undefined"
}

// probe tells whether a reason fits in the first pass: by the status code's meaning or the
// diagnostic's phrases, with the context (the SMTP command, other reasons' phrases) that makes
// a phrase mean one reason rather than another.
func probe(r string, f facts, sname string, m *matcher) bool {
	has := func(reason string) bool {
		if reason == "rejected" {
			// "Recipient address rejected" (Postfix) says nothing of the sender.
			return m.sender().has(reason)
		}
		return m.has(reason)
	}
	early := f.command == "CONN" || f.command == "EHLO" || f.command == "HELO" || f.command == "MAIL" || f.command == "RCPT"
	switch r {
	case "userunknown":
		if sname == "suspend" {
			return false
		}
		if sname == "userunknown" {
			for _, other := range []string{"norelaying", "blocked", "mailboxfull", "hasmoved", "rejected", "notaccept"} {
				if has(other) {
					return false
				}
			}
			return true
		}
		// A "no such user" said after the RCPT reply (at DATA, or when the report does not say
		// when) is taken as a filter's verdict, as sisimai does.
		if f.command == "RCPT" || ((strings.HasPrefix(f.status[min(len(f.status), 1):], ".1.") || strings.HasPrefix(f.status[min(len(f.status), 1):], ".5.")) && f.command != "DATA") {
			// At RCPT, or with an addressing (X.1.x) or protocol (X.5.x) status, which are
			// replies within the SMTP dialogue, it is the address.
			return has("userunknown")
		}
		return false
	case "filtered":
		if sname == "suspend" {
			return false
		}
		if sname == "filtered" {
			return has("userunknown") || has("filtered")
		}
		return !early && (has("filtered") || has("userunknown"))
	case "rejected":
		if sname == "rejected" {
			return true
		}
		switch {
		case f.command == "MAIL":
			return has("rejected")
		case f.command == "DATA":
			return sname != "userunknown" && has("rejected")
		case sname == "" || sname == "onhold" || sname == "undefined" || sname == "securityerror" || sname == "systemerror":
			return has("rejected")
		}
		return false
	case "mesgtoobig":
		if sname == "mesgtoobig" {
			return true
		}
		return sname != "exceedlimit" && f.status != "5.2.3" && has(r)
	case "hostunknown":
		if sname == "hostunknown" {
			return !has("networkerror")
		}
		return has(r)
	case "contenterror":
		if has(r) {
			return true
		}
		// A generic media status (X.6.x) yields to explicit spam or virus wording.
		return sname == r && !has("spamdetected") && !has("virusdetected")
	case "spamdetected":
		return sname == r || (!early && has(r))
	case "norelaying":
		return f.command != "CONN" && f.command != "EHLO" && f.command != "HELO" && has(r)
	case "suspend", "hasmoved", "notcompliantrfc", "badreputation", "speeding":
		return has(r)
	}
	return sname == r || has(r)
}

// matcher answers "does the diagnostic have one of this reason's phrases", each reason once.
type matcher struct {
	d    string
	h    hits // the rule parts d has
	done map[string]bool
	snd  *matcher
}

// sender is the matcher over the diagnostic without Postfix's "recipient address rejected".
func (m *matcher) sender() *matcher {
	if m.snd == nil {
		if strings.Contains(m.d, "recipient address rejected") {
			m.snd = newMatcher(strings.ReplaceAll(m.d, "recipient address rejected", "recipient"))
		} else {
			m.snd = m
		}
	}
	return m.snd
}

func newMatcher(d string) *matcher {
	m := &matcher{d: d, done: make(map[string]bool, 16)}
	if d != "" {
		m.h = rules.index.scan(d)
	}
	return m
}

func (m *matcher) has(reason string) bool {
	if m.d == "" {
		return false
	}
	v, ok := m.done[reason]
	if !ok {
		v = rules.phraseMatchH(reason, m.d, m.h)
		m.done[reason] = v
	}
	return v
}

var temporaryRe = regexp.MustCompile(`(?i)\b(temporar|persistent|try again later)`)

// isHard tells whether a reason means the address is permanently undeliverable (hard.tsv).
func isHard(reason string, f facts) bool {
	switch rules.hard[reason] {
	case "yes":
		return true
	case "permanent":
		// Hard when the code is permanent (5xx), soft when it is temporary (4xx); without a
		// code, hard unless the words say temporary.
		code := f.status
		if code == "" {
			code = f.reply
		}
		switch {
		case strings.HasPrefix(code, "5"):
			return true
		case strings.HasPrefix(code, "4"):
			return false
		}
		return !temporaryRe.MatchString(f.diag)
	}
	return false
}

package verify

import "unicode/utf8"

// maxInput bounds the work done on one address. No deliverable address is
// longer than 254 octets once comments are removed, and no real address
// carries kilobytes of comments: longer input is too long without parsing.
const maxInput = 4096

// pctx (parser context) is where the parser is, as in is_email's state machine.
type pctx uint8

const (
	ctxLocal pctx = iota
	ctxDomain
	ctxLiteral
	ctxComment
	ctxFWS
	ctxQuoted
	ctxQPair
)

// text collects parsed octets in a fixed array so the parse does not
// allocate; whatever overflows it is only counted (such an address is far
// over the length limits and its text is never used).
type text struct {
	b [320]byte
	n int
}

func (t *text) add(s string) {
	if t.n+len(s) <= len(t.b) {
		copy(t.b[t.n:], s)
	}
	t.n += len(s)
}

func (t *text) String() string { return string(t.b[:min(t.n, len(t.b))]) }

// parser is one run of the addr-spec state machine. It follows is_email 3.x
// (Dominic Sayers) closely so that its diagnoses are comparable, extended to
// RFC 6531: non-ASCII letters, marks, numbers, punctuation and symbols count
// as atext, qtext and ctext; controls, format (bidi) and space characters
// outside ASCII are refused.
type parser struct {
	in        string
	worst     code    // the most severe diagnosis so far
	now       pctx    // current context
	prior     pctx    // the context that was left last
	stack     [4]pctx // saved contexts; comments nest through a counter, so 2 are enough
	sp        int
	comments  int  // nesting depth of the comment being read
	elemCount int  // dot-separated elements seen in the current part
	elemLen   int  // octets of the current element
	crlf      int  // CRLFs in the current run of folding white space
	tokPrior  byte // the white-space token that opened the FWS context
	last      byte // the last token read (0x80 for any non-ASCII one)
	hyphen    bool // the last domain character was '-'
	endOrDie  bool // only CFWS or a dot may follow (after a quoted string, comment or FWS)
	rewritten bool // comments or FWS were dropped: local/domain differ from the input
	literal   bool // the domain is an address literal
	uniLocal  bool // the local part has non-ASCII characters
	uniDomain bool // the domain has non-ASCII characters
	uniLabel  bool // the current domain label has non-ASCII characters
	atomFirst byte // first octet of the current domain element
	at        int  // index of the '@' in the input
	local     text
	domain    text
	lit       text // the literal's content, without brackets
}

func (p *parser) raise(c code) {
	if c > p.worst {
		p.worst = c
	}
}

func (p *parser) push(c pctx) {
	p.stack[p.sp] = p.now
	p.sp++
	p.now = c
}

func (p *parser) pop() {
	p.prior = p.now
	p.sp--
	p.now = p.stack[p.sp]
}

// run parses p.in, stopping at the first fatal error.
func (p *parser) run() {
	in := p.in
	for i := 0; i < len(in); {
		c := in[i]
		size := 1
		r := rune(c)
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(in[i:])
			if r == utf8.RuneError && size == 1 {
				p.raise(cInvalidUTF8)
				return
			}
			c = 0x80 // any non-ASCII token; r holds the rune
		}
		p.last = c
		tok := in[i : i+size]
		var next int
		switch p.now {
		case ctxLocal:
			next = p.inLocal(i, c, r, tok)
		case ctxDomain:
			next = p.inDomain(i, c, r, tok)
		case ctxLiteral:
			next = p.inLiteral(i, c, tok)
		case ctxQuoted:
			next = p.inQuoted(i, c, r, tok)
		case ctxQPair:
			next = p.inQPair(i, c, tok)
		case ctxComment:
			next = p.inComment(i, c, r, tok)
		default:
			next = p.inFWS(i, c)
		}
		if p.worst >= firstFatalCode {
			return
		}
		i = next
	}
}

// cr handles a CR token at i: a CR must start a CRLF. It returns the index
// after the LF, or 0 after raising ERR_CR_NO_LF.
func (p *parser) cr(i int) int {
	if i+1 >= len(p.in) || p.in[i+1] != '\n' {
		p.raise(cCRNoLF)
		return 0
	}
	return i + 2
}

// white handles SP, HTAB or CRLF at i and returns the next index, or 0 on a
// bare CR.
func (p *parser) white(i int, c byte) int {
	if c == '\r' {
		return p.cr(i)
	}
	return i + 1
}

func (p *parser) inQuoted(i int, c byte, r rune, tok string) int {
	switch c {
	case '\\':
		p.push(ctxQPair)
	case '\r', '\t':
		next := p.white(i, c)
		if next == 0 {
			return i + 1
		}
		// FWS inside quotes is semantically one space (RFC 5322 3.2.4).
		p.local.add(" ")
		p.elemLen++
		p.raise(cCFWSFWS)
		p.push(ctxFWS)
		p.tokPrior = c
		p.rewritten = true
		return next
	case '"':
		p.local.add(tok)
		p.elemLen++
		p.pop()
	default:
		switch {
		case c == 0x80:
			if !allowedRune(r) {
				p.raise(cForbiddenChar)
			}
			p.uniLocal = true
		case c == 0 || c == '\n':
			p.raise(cExpectingQText)
		case c < 32 || c == 127:
			p.raise(cDeprecQText)
		}
		p.local.add(tok)
		p.elemLen += len(tok)
	}
	return i + len(tok)
}

func (p *parser) inQPair(i int, c byte, tok string) int {
	switch {
	case c == 0x80:
		// RFC 6531 extends qtext, not quoted-pair: "\é" stays invalid.
		p.raise(cExpectingQPair)
	case (c < 31 && c != '\t') || c == 127:
		p.raise(cDeprecQP)
	}
	p.pop()
	switch p.now {
	case ctxQuoted:
		p.local.add("\\")
		p.local.add(tok)
		p.elemLen += 2
	case ctxLiteral:
		p.domain.add("\\")
		p.domain.add(tok)
		p.elemLen += 2
	}
	return i + len(tok)
}

func (p *parser) inComment(i int, c byte, r rune, tok string) int {
	switch c {
	case '(':
		p.comments++
	case ')':
		p.comments--
		if p.comments == 0 {
			p.pop()
		} else {
			p.prior = ctxComment
		}
	case '\\':
		p.push(ctxQPair)
	case '\r', ' ', '\t':
		next := p.white(i, c)
		if next == 0 {
			return i + 1
		}
		p.raise(cCFWSFWS)
		p.push(ctxFWS)
		p.tokPrior = c
		return next
	default:
		switch {
		case c == 0x80:
			if !allowedRune(r) {
				p.raise(cForbiddenChar)
			}
		case c == 0 || c == '\n':
			p.raise(cExpectingCText)
		case c < 32 || c == 127:
			p.raise(cDeprecCText)
		}
	}
	return i + len(tok)
}

// inFWS reads folding white space; on any other token it returns to the
// enclosing context, which reads the same token again.
func (p *parser) inFWS(i int, c byte) int {
	if p.tokPrior == '\r' {
		if c == '\r' {
			p.raise(cFWSCRLFx2)
			return i + 1
		}
		p.crlf++
		if p.crlf > 1 {
			p.raise(cDeprecFWS) // several folds in a row are obsolete FWS
		}
	}
	next := i + 1
	switch c {
	case '\r':
		if next = p.cr(i); next == 0 {
			return i + 1
		}
	case ' ', '\t':
	default:
		if p.tokPrior == '\r' {
			p.raise(cFWSCRLFEnd) // a fold must be followed by white space
			return i + 1
		}
		p.crlf = 0
		p.pop()
		p.tokPrior = c
		return i // read again in the enclosing context
	}
	p.tokPrior = c
	return next
}

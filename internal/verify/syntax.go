package verify

import "strings"

// SyntaxResult is the syntax check of one address.
type SyntaxResult struct {
	Verdict   SyntaxVerdict // valid, risky or invalid
	Diagnosis Diagnosis     // the most severe finding (VALID when there is none)
	Local     string        // local part without comments and folding white space; "" if invalid
	Domain    string        // lower-case ASCII domain (A-labels) or the [address literal]; "" if invalid
	ASCII     string        // Local + "@" + Domain; "" if invalid
	SMTPUTF8  bool          // the local part is not ASCII: delivery needs SMTPUTF8 (RFC 6531)
	IDN       bool          // the domain has U-labels or A-labels ("xn--")
	Literal   bool          // the domain is an address literal such as [192.0.2.1]
	code      code
}

// Syntax checks the syntax of addr: an RFC 5322 addr-spec, judged as mailbox
// providers accept it (RFC 5321), with RFC 6531 UTF-8 and IDNA 2008 domains.
// It does no I/O, never panics and reads at most a few kilobytes of addr.
func Syntax(addr string) SyntaxResult {
	if len(addr) > maxInput {
		return SyntaxResult{Verdict: SyntaxInvalid, Diagnosis: diagnosisNames[cTooLong], code: cTooLong}
	}
	var p parser
	p.in = addr
	p.run()
	p.finish()
	res := SyntaxResult{code: p.worst}
	if p.worst < firstInvalidCode {
		res = p.result()
	}
	res.Verdict = res.code.verdict()
	res.Diagnosis = diagnosisNames[res.code]
	if res.Verdict == SyntaxInvalid {
		return SyntaxResult{Verdict: res.Verdict, Diagnosis: res.Diagnosis, SMTPUTF8: p.uniLocal, code: res.code}
	}
	return res
}

// finish runs is_email's end-of-input checks.
func (p *parser) finish() {
	if p.worst >= firstFatalCode {
		return
	}
	idn := p.uniDomain
	if p.now == ctxFWS {
		// White space at the very end closes nothing: look at what it is
		// inside ("[1.2.3.4 " is still an unclosed literal, which is_email
		// itself misses).
		p.now = p.stack[p.sp-1]
	}
	switch {
	case p.now == ctxQuoted:
		p.raise(cUnclosedQuotedStr)
	case p.now == ctxQPair:
		p.raise(cBackslashEnd)
	case p.now == ctxComment:
		p.raise(cUnclosedComment)
	case p.now == ctxLiteral:
		p.raise(cUnclosedDomLit)
	case p.last == '\r':
		p.raise(cFWSCRLFEnd)
	case p.domain.n == 0:
		p.raise(cNoDomain)
	case p.elemLen == 0:
		p.raise(cDotEnd)
	case p.hyphen:
		p.raise(cDomainHyphenEnd)
	case idn:
		// Lengths of an internationalised domain are measured on its
		// A-labels, after IDNA (see result).
	case p.domain.n > 255:
		p.raise(cDomainTooLong)
	case p.local.n+1+p.domain.n > 254:
		p.raise(cTooLong)
	case p.elemLen > 63:
		p.raise(cLabelTooLong)
	}
	if p.worst <= lastValidCode && !idn {
		p.tldChecks(p.elemCount == 0, p.atomFirst)
	}
}

// tldChecks flags a domain that is a bare TLD (RFC 5321 allows it, but it is
// far more likely a typo) or whose TLD starts with a digit (an IP address
// written without brackets).
func (p *parser) tldChecks(dotless bool, tldFirst byte) {
	if dotless {
		p.raise(cTLD)
	}
	if tldFirst >= '0' && tldFirst <= '9' {
		p.raise(cTLDNumeric)
	}
}

// result builds the result of a parse that found the address usable. It
// allocates only when the address must be rewritten: comments or white space
// dropped, upper-case or non-ASCII domain.
func (p *parser) result() SyntaxResult {
	res := SyntaxResult{SMTPUTF8: p.uniLocal, Literal: p.literal}
	local := p.in[:p.at]
	domain := p.in[p.at+1:]
	if p.rewritten {
		local, domain = p.local.String(), p.domain.String()
	}
	if !p.literal && !p.uniDomain {
		domain = lowerASCII(domain)
	}
	switch {
	case p.literal:
	case p.uniDomain || strings.Contains(domain, "xn--") && hasACEPrefix(domain):
		res.IDN = true
		ascii, uni, err := toASCII(domain)
		switch {
		case err == nil:
			domain = ascii
		case p.uniDomain:
			p.raise(cIDNA)
			return SyntaxResult{code: p.worst}
		default:
			// A malformed A-label is still a valid LDH host name: SMTP and
			// DNS take it as it is, only its Unicode form is unknown.
			uni = ""
		}
		p.checkASCIILengths(len(local), domain)
		if p.worst <= lastValidCode {
			last := domain[strings.LastIndexByte(domain, '.')+1:]
			p.tldChecks(!strings.Contains(domain, "."), last[0])
		}
		switch {
		case p.worst > lastRiskyCode:
		case mixedScripts(uni):
			p.raise(cHomograph)
		case wholeScriptConfusable(uni):
			p.raise(cConfusable)
		}
	}
	if p.uniLocal && p.worst <= lastRiskyCode && mixedScripts(local) {
		p.raise(cHomograph) // "jоhn" with a Cyrillic "о" spoofs a local part too
	}
	res.code = p.worst
	res.Local, res.Domain = local, domain
	if !p.rewritten && len(local)+1+len(domain) == len(p.in) && p.in[p.at+1:] == domain {
		res.ASCII = p.in
	} else {
		res.ASCII = local + "@" + domain
	}
	return res
}

// checkASCIILengths applies the RFC 5321 limits to the A-label form.
func (p *parser) checkASCIILengths(localLen int, domain string) {
	switch {
	case len(domain) > 255:
		p.raise(cDomainTooLong)
	case localLen+1+len(domain) > 254:
		p.raise(cTooLong)
	}
	for label := range strings.SplitSeq(domain, ".") {
		if len(label) > 63 {
			p.raise(cLabelTooLong)
		}
		if label == "" {
			p.raise(cConsecutiveDots) // IDNA mapped a full stop (U+3002 ...) next to a dot
		}
	}
}

// hasACEPrefix reports whether a label of a lower-case domain starts with
// "xn--": an A-label, to decode and check like a U-label.
func hasACEPrefix(domain string) bool {
	for i := 0; i+4 <= len(domain); i++ {
		if (i == 0 || domain[i-1] == '.') && domain[i:i+4] == "xn--" {
			return true
		}
	}
	return false
}

// lowerASCII lower-cases s, allocating only if s has upper-case letters.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

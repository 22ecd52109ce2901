package verify

// specials are the printable ASCII characters that are not atext
// (RFC 5322 3.2.3).
var specials = [128]bool{'(': true, ')': true, '<': true, '>': true, '[': true, ']': true,
	':': true, ';': true, '@': true, '\\': true, ',': true, '.': true, '"': true}

func isAText(c byte) bool { return c > 32 && c < 127 && !specials[c] }

func isLetDig(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// inLocal reads the local part: dot-atom, quoted-string or obs-local-part.
func (p *parser) inLocal(i int, c byte, r rune, tok string) int {
	switch c {
	case '(':
		switch {
		case p.elemLen > 0:
			p.raise(cCFWSComment)
			p.endOrDie = true // a comment cannot sit inside an element
		case p.elemCount == 0:
			p.raise(cCFWSComment)
		default:
			p.raise(cDeprecComment)
		}
		p.push(ctxComment)
		p.comments = 1
		p.rewritten = true
	case '.':
		switch {
		case p.elemLen == 0 && p.elemCount == 0:
			p.raise(cDotStart)
		case p.elemLen == 0:
			p.raise(cConsecutiveDots)
		case p.endOrDie:
			p.raise(cDeprecLocalPart) // "a"."b": one quoted word among others is obsolete
		}
		p.endOrDie = false
		p.elemLen = 0
		p.elemCount++
		p.local.add(".")
	case '"':
		if p.elemLen > 0 {
			p.raise(cExpectingAText)
			break
		}
		if p.elemCount == 0 {
			p.raise(cQuotedString)
		} else {
			p.raise(cDeprecLocalPart)
		}
		p.local.add(tok)
		p.elemLen++
		p.endOrDie = true // the quoted string must be the whole element
		p.push(ctxQuoted)
	case '\r', ' ', '\t':
		next := p.white(i, c)
		if next == 0 {
			return i + 1
		}
		switch {
		case p.elemLen > 0:
			p.endOrDie = true
		case p.elemCount == 0:
			p.raise(cCFWSFWS)
		default:
			p.raise(cDeprecFWS)
		}
		p.push(ctxFWS)
		p.tokPrior = c
		p.rewritten = true
		return next
	case '@':
		switch {
		case p.local.n == 0:
			p.raise(cNoLocalPart)
		case p.elemLen == 0:
			p.raise(cDotEnd)
		case p.local.n > 64:
			p.raise(cLocalTooLong) // RFC 5321 4.5.3.1.1, in octets
		case p.prior == ctxComment || p.prior == ctxFWS:
			p.raise(cDeprecCFWSNearAt)
		}
		p.now = ctxDomain
		p.sp = 0
		p.elemCount = 0
		p.elemLen = 0
		p.endOrDie = false
		p.at = i
	default:
		if p.endOrDie {
			if p.prior == ctxQuoted {
				p.raise(cATextAfterQS)
			} else {
				p.raise(cATextAfterCFWS)
			}
			break
		}
		p.prior = ctxLocal
		switch {
		case c == 0x80:
			if !allowedRune(r) {
				p.raise(cForbiddenChar)
			}
			p.uniLocal = true
		case !isAText(c):
			p.raise(cExpectingAText)
		}
		p.local.add(tok)
		p.elemLen += len(tok)
	}
	return i + len(tok)
}

// inDomain reads the domain: dot-atom, domain-literal or obs-domain; labels
// must be RFC 5321 sub-domains (letters, digits, inner hyphens) or U-labels.
func (p *parser) inDomain(i int, c byte, r rune, tok string) int {
	switch c {
	case '(':
		switch {
		case p.elemLen > 0:
			p.raise(cCFWSComment)
			p.endOrDie = true
		case p.elemCount == 0:
			p.raise(cDeprecCFWSNearAt)
		default:
			p.raise(cDeprecComment)
		}
		p.push(ctxComment)
		p.comments = 1
		p.rewritten = true
	case '.':
		switch {
		case p.elemLen == 0 && p.elemCount == 0:
			p.raise(cDotStart)
		case p.elemLen == 0:
			p.raise(cConsecutiveDots)
		case p.hyphen:
			p.raise(cDomainHyphenEnd)
		case p.elemLen > 63 && !p.uniLabel:
			p.raise(cLabelTooLong) // U-labels are measured as A-labels after IDNA
		}
		p.endOrDie = false
		p.elemLen = 0
		p.elemCount++
		p.uniLabel = false
		p.domain.add(".")
	case '[':
		if p.domain.n > 0 {
			p.raise(cExpectingAText)
			break
		}
		p.endOrDie = true // the literal must be the whole domain
		p.elemLen++
		p.literal = true
		p.push(ctxLiteral)
		p.domain.add(tok)
	case '\r', ' ', '\t':
		next := p.white(i, c)
		if next == 0 {
			return i + 1
		}
		switch {
		case p.elemLen > 0:
			p.raise(cCFWSFWS)
			p.endOrDie = true
		case p.elemCount == 0:
			p.raise(cDeprecCFWSNearAt)
		default:
			p.raise(cDeprecFWS)
		}
		p.push(ctxFWS)
		p.tokPrior = c
		p.rewritten = true
		return next
	default:
		if p.endOrDie {
			if p.prior == ctxLiteral {
				p.raise(cATextAfterDomLit)
			} else {
				p.raise(cATextAfterCFWS)
			}
			break
		}
		p.hyphen = false
		switch {
		case c == 0x80:
			if !allowedDomainRune(r) {
				p.raise(cForbiddenChar)
			}
			p.uniDomain = true
			p.uniLabel = true
		case !isAText(c):
			p.raise(cExpectingAText)
		case c == '-':
			if p.elemLen == 0 {
				p.raise(cDomainHyphenStart)
			}
			p.hyphen = true
		case !isLetDig(c):
			p.raise(cRFC5322Domain) // atext, but not a DNS name
		}
		if p.elemLen == 0 {
			p.atomFirst = c
		}
		p.domain.add(tok)
		p.elemLen += len(tok)
	}
	return i + len(tok)
}

// inLiteral reads a domain literal between '[' and ']'.
func (p *parser) inLiteral(i int, c byte, tok string) int {
	switch c {
	case ']':
		if p.worst <= lastRiskyCode {
			p.raise(checkLiteral(p.lit.String()))
		} else {
			p.raise(cDomainLiteral)
		}
		p.domain.add(tok)
		p.elemLen++
		p.pop()
	case '\\':
		p.raise(cDomLitObsDText)
		p.push(ctxQPair)
	case '\r', ' ', '\t':
		next := p.white(i, c)
		if next == 0 {
			return i + 1
		}
		p.raise(cCFWSFWS)
		p.push(ctxFWS)
		p.tokPrior = c
		p.rewritten = true
		return next
	default:
		if c == 0x80 || c == 0 || c == '[' {
			p.raise(cExpectingDText)
			break
		}
		if c < 33 || c == 127 {
			p.raise(cDomLitObsDText)
		}
		p.lit.add(tok)
		p.domain.add(tok)
		p.elemLen++
	}
	return i + len(tok)
}

package verify

// Diagnosis is the syntax diagnosis of an address, named after is_email's
// diagnoses without the ISEMAIL_ prefix (ERR_CONSECUTIVEDOTS,
// RFC5321_QUOTEDSTRING, ...) plus a few for Unicode and IDNA input.
type Diagnosis string

// SyntaxVerdict sums a Diagnosis up: valid, risky (allowed by the RFCs but not
// usable unmodified with mailbox providers) or invalid.
type SyntaxVerdict string

// Syntax verdicts.
const (
	SyntaxValid   SyntaxVerdict = "valid"
	SyntaxRisky   SyntaxVerdict = "risky"
	SyntaxInvalid SyntaxVerdict = "invalid"
)

// code is a diagnosis as a number; a larger number is more severe, so the
// diagnosis of an address is the largest code its parse raised. The values
// are is_email's, which keeps its category boundaries (below).
type code uint8

const (
	cValid             code = 0
	cDNSWarnNoMX       code = 5
	cDNSWarnNoRecord   code = 6
	cTLD               code = 9
	cTLDNumeric        code = 10
	cQuotedString      code = 11
	cAddressLiteral    code = 12
	cCFWSComment       code = 17
	cCFWSFWS           code = 18
	cDeprecLocalPart   code = 33
	cDeprecFWS         code = 34
	cDeprecQText       code = 35
	cDeprecQP          code = 36
	cDeprecComment     code = 37
	cDeprecCText       code = 38
	cIPv6Deprecated    code = 39
	cDeprecCFWSNearAt  code = 49
	cHomograph         code = 50
	cConfusable        code = 51
	cRFC5322Domain     code = 65
	cTooLong           code = 66
	cLocalTooLong      code = 67
	cDomainTooLong     code = 68
	cLabelTooLong      code = 69
	cDomainLiteral     code = 70
	cDomLitObsDText    code = 71
	cIPv6GroupCount    code = 72
	cIPv62x2xColon     code = 73
	cIPv6BadChar       code = 74
	cIPv6MaxGroups     code = 75
	cIPv6ColonStart    code = 76
	cIPv6ColonEnd      code = 77
	cExpectingDText    code = 129
	cNoLocalPart       code = 130
	cNoDomain          code = 131
	cConsecutiveDots   code = 132
	cATextAfterCFWS    code = 133
	cATextAfterQS      code = 134
	cATextAfterDomLit  code = 135
	cExpectingQPair    code = 136
	cExpectingAText    code = 137
	cExpectingQText    code = 138
	cExpectingCText    code = 139
	cBackslashEnd      code = 140
	cDotStart          code = 141
	cDotEnd            code = 142
	cDomainHyphenStart code = 143
	cDomainHyphenEnd   code = 144
	cUnclosedQuotedStr code = 145
	cUnclosedComment   code = 146
	cUnclosedDomLit    code = 147
	cFWSCRLFx2         code = 148
	cFWSCRLFEnd        code = 149
	cCRNoLF            code = 150
	cInvalidUTF8       code = 160
	cForbiddenChar     code = 161
	cIDNA              code = 162
	lastRiskyCode      code = 63  // codes 8..63 are risky (is_email's RFC5321, CFWS and DEPREC categories)
	firstFatalCode     code = 128 // codes from here on stop the parse (is_email's ERR category)
	firstInvalidCode   code = 64  // codes from here on are invalid (RFC5322 and ERR categories)
	lastValidCode      code = 7   // codes 0..7 are valid (VALID and DNSWARN)
)

// diagnosisNames maps every code the parser raises to its name.
var diagnosisNames = [256]Diagnosis{
	cValid: "VALID", cDNSWarnNoMX: "DNSWARN_NO_MX_RECORD", cDNSWarnNoRecord: "DNSWARN_NO_RECORD",
	cTLD: "RFC5321_TLD", cTLDNumeric: "RFC5321_TLDNUMERIC", cQuotedString: "RFC5321_QUOTEDSTRING",
	cAddressLiteral: "RFC5321_ADDRESSLITERAL", cIPv6Deprecated: "RFC5321_IPV6DEPRECATED",
	cCFWSComment: "CFWS_COMMENT", cCFWSFWS: "CFWS_FWS",
	cDeprecLocalPart: "DEPREC_LOCALPART", cDeprecFWS: "DEPREC_FWS", cDeprecQText: "DEPREC_QTEXT",
	cDeprecQP: "DEPREC_QP", cDeprecComment: "DEPREC_COMMENT", cDeprecCText: "DEPREC_CTEXT",
	cDeprecCFWSNearAt: "DEPREC_CFWS_NEAR_AT", cHomograph: "HOMOGRAPH_MIXED_SCRIPT", cConfusable: "HOMOGRAPH_WHOLE_SCRIPT",
	cRFC5322Domain: "RFC5322_DOMAIN", cTooLong: "RFC5322_TOOLONG", cLocalTooLong: "RFC5322_LOCAL_TOOLONG",
	cDomainTooLong: "RFC5322_DOMAIN_TOOLONG", cLabelTooLong: "RFC5322_LABEL_TOOLONG",
	cDomainLiteral: "RFC5322_DOMAINLITERAL", cDomLitObsDText: "RFC5322_DOMLIT_OBSDTEXT",
	cIPv6GroupCount: "RFC5322_IPV6_GRPCOUNT", cIPv62x2xColon: "RFC5322_IPV6_2X2XCOLON",
	cIPv6BadChar: "RFC5322_IPV6_BADCHAR", cIPv6MaxGroups: "RFC5322_IPV6_MAXGRPS",
	cIPv6ColonStart: "RFC5322_IPV6_COLONSTRT", cIPv6ColonEnd: "RFC5322_IPV6_COLONEND",
	cExpectingDText: "ERR_EXPECTING_DTEXT", cNoLocalPart: "ERR_NOLOCALPART", cNoDomain: "ERR_NODOMAIN",
	cConsecutiveDots: "ERR_CONSECUTIVEDOTS", cATextAfterCFWS: "ERR_ATEXT_AFTER_CFWS",
	cATextAfterQS: "ERR_ATEXT_AFTER_QS", cATextAfterDomLit: "ERR_ATEXT_AFTER_DOMLIT",
	cExpectingQPair: "ERR_EXPECTING_QPAIR", cExpectingAText: "ERR_EXPECTING_ATEXT",
	cExpectingQText: "ERR_EXPECTING_QTEXT", cExpectingCText: "ERR_EXPECTING_CTEXT",
	cBackslashEnd: "ERR_BACKSLASHEND", cDotStart: "ERR_DOT_START", cDotEnd: "ERR_DOT_END",
	cDomainHyphenStart: "ERR_DOMAINHYPHENSTART", cDomainHyphenEnd: "ERR_DOMAINHYPHENEND",
	cUnclosedQuotedStr: "ERR_UNCLOSEDQUOTEDSTR", cUnclosedComment: "ERR_UNCLOSEDCOMMENT",
	cUnclosedDomLit: "ERR_UNCLOSEDDOMLIT", cFWSCRLFx2: "ERR_FWS_CRLF_X2", cFWSCRLFEnd: "ERR_FWS_CRLF_END",
	cCRNoLF: "ERR_CR_NO_LF", cInvalidUTF8: "ERR_INVALID_UTF8", cForbiddenChar: "ERR_FORBIDDEN_CHAR",
	cIDNA: "ERR_IDNA",
}

// verdict sums c up.
func (c code) verdict() SyntaxVerdict {
	switch {
	case c <= lastValidCode:
		return SyntaxValid
	case c <= lastRiskyCode:
		return SyntaxRisky
	default:
		return SyntaxInvalid
	}
}

// Verdict sums the diagnosis up; an unknown diagnosis is invalid.
func (d Diagnosis) Verdict() SyntaxVerdict {
	for c, name := range diagnosisNames {
		if name == d && name != "" {
			return code(c).verdict()
		}
	}
	return SyntaxInvalid
}

// syntaxReason is the Result reason a risky or invalid code stands for.
func (c code) reason() Reason {
	switch {
	case c <= lastValidCode:
		return ""
	case c >= firstInvalidCode:
		return ReasonSyntax
	case c == cTLD:
		return ReasonDotlessDomain
	case c == cTLDNumeric:
		return ReasonNumericTLD
	case c == cQuotedString || c == cDeprecLocalPart:
		return ReasonQuotedLocal
	case c == cAddressLiteral || c == cIPv6Deprecated:
		return ReasonAddressLiteral
	case c == cHomograph || c == cConfusable:
		return ReasonHomograph
	case c == cCFWSComment || c == cCFWSFWS:
		return ReasonCFWS
	default:
		return ReasonObsolete
	}
}

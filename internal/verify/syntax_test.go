package verify

import (
	"strings"
	"testing"
	"time"
)

// TestSyntaxDiagnoses pins is_email diagnoses beyond the corpus: cases of
// the is_email suite whose expectations do not depend on DNS, written here
// with real control characters.
func TestSyntaxDiagnoses(t *testing.T) {
	cases := []struct{ addr, want string }{
		{"test", "ERR_NODOMAIN"}, {"@iana.org", "ERR_NOLOCALPART"}, {"test@nominet.org.uk", "VALID"},
		{"test@about.museum", "VALID"}, {"test@e.com", "VALID"}, {"!#$%&`*+/=?^`{|}~@iana.org", "VALID"},
		{"123@iana.org", "VALID"}, {"test@123.com", "VALID"}, {"test@255.255.255.255", "RFC5321_TLDNUMERIC"},
		{"test@abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghiklm.com", "RFC5322_LABEL_TOOLONG"},
		{"test@mason-dixon.com", "VALID"}, {"test@-iana.org", "ERR_DOMAINHYPHENSTART"},
		{"a@a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v", "VALID"},
		{"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghiklm@abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghikl.abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghikl.abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij", "RFC5322_TOOLONG"},
		{`"test"@iana.org`, "RFC5321_QUOTEDSTRING"}, {`""@iana.org`, "RFC5321_QUOTEDSTRING"},
		{`"""@iana.org`, "ERR_EXPECTING_ATEXT"}, {`"\a"@iana.org`, "RFC5321_QUOTEDSTRING"},
		{`"test@iana.org`, "ERR_UNCLOSEDQUOTEDSTR"}, {`"test"test@iana.org`, "ERR_ATEXT_AFTER_QS"},
		{`test"text"@iana.org`, "ERR_EXPECTING_ATEXT"}, {`"test""test"@iana.org`, "ERR_EXPECTING_ATEXT"},
		{`"abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz abcdefg\h"@iana.org`, "RFC5322_LOCAL_TOOLONG"},
		{"test@[255.255.255.255]", "RFC5321_ADDRESSLITERAL"}, {"test@[255.255.255]", "RFC5322_DOMAINLITERAL"},
		{"test@[255.255.255.255.255]", "RFC5322_DOMAINLITERAL"},
		{"test@[IPv6:1111:2222:3333:4444:5555:6666:7777]", "RFC5322_IPV6_GRPCOUNT"},
		{"test@[IPv6:1111:2222:3333:4444:5555:6666:7777:888G]", "RFC5322_IPV6_BADCHAR"},
		{"test@[IPv6:1111:2222:3333:4444:5555:6666::8888]", "RFC5321_IPV6DEPRECATED"},
		{"test@[IPv6:::3333:4444:5555:6666:7777:8888]", "RFC5321_ADDRESSLITERAL"},
		{"test@[IPv6:1111::4444:5555::8888]", "RFC5322_IPV6_2X2XCOLON"},
		{"test@[IPv6:1111:2222:3333:4444:5555:6666:7777:255.255.255.255]", "RFC5322_IPV6_GRPCOUNT"},
		{"test@[IPv6:1111:2222:3333:4444:::255.255.255.255]", "RFC5322_IPV6_2X2XCOLON"},
		{"test@ iana .com", "DEPREC_CFWS_NEAR_AT"}, {"test . test@iana.org", "DEPREC_FWS"},
		{"\r\n test@iana.org", "CFWS_FWS"}, {"test@(comment)iana.org", "DEPREC_CFWS_NEAR_AT"},
		{"test@(comment)abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghikl.com", "DEPREC_CFWS_NEAR_AT"},
		{"xn--test@iana.org", "VALID"}, {"test@iana.org-", "ERR_DOMAINHYPHENEND"},
		{"(test@iana.org", "ERR_UNCLOSEDCOMMENT"}, {`"test\"@iana.org`, "ERR_UNCLOSEDQUOTEDSTR"},
		{"test@xn--hxajbheg2az3al.xn--jxalpdlp", "VALID"},
		{"first.last@sub.do,com", "ERR_EXPECTING_ATEXT"}, {"first\\@last@iana.org", "ERR_EXPECTING_ATEXT"},
		{"first.last@[IPv6:::12.34.56.78]", "RFC5321_ADDRESSLITERAL"}, {"first.last@[IPv6:1111:2222:3333::4444:5555:12.34.56.78]", "RFC5321_IPV6DEPRECATED"},
		{"first.last@[.12.34.56.78]", "RFC5322_DOMAINLITERAL"}, {"first.last@[12.34.56.789]", "RFC5322_DOMAINLITERAL"},
		{"first.last@[::12.34.56.78]", "RFC5322_DOMAINLITERAL"}, {"first.last@[IPv6:1111:2222:333x::4444:5555]", "RFC5322_IPV6_BADCHAR"},
		{"first.last@[IPv6:1111:2222:33333::4444:5555]", "RFC5322_IPV6_BADCHAR"}, {"Doug\\ \\\"Ace\\\"\\ Lovell@iana.org", "ERR_EXPECTING_ATEXT"},
		{"\"Doug \\\"Ace\\\" L.\"@iana.org", "RFC5321_QUOTEDSTRING"}, {"hello world@iana.org", "ERR_ATEXT_AFTER_CFWS"},
		{"gatsby@f.sc.ot.t.f.i.tzg.era.l.d.", "ERR_DOT_END"}, {"\"[[ test ]]\"@iana.org", "RFC5321_QUOTEDSTRING"},
		{"test@123.123.123.x123", "VALID"}, {"-@..com", "ERR_DOT_START"}, {"-@a..com", "ERR_CONSECUTIVEDOTS"},
		{"Invalid \\\n Folding \\\n Whitespace@iana.org", "ERR_ATEXT_AFTER_CFWS"},
		{"HM2Kinsists@(that comments are allowed)this.is.ok", "DEPREC_CFWS_NEAR_AT"},
		{" \r\n (\r\n x \r\n ) \r\n first\r\n ( \r\n x\r\n ) \r\n .\r\n ( \r\n x) \r\n last \r\n (  x \r\n ) \r\n @iana.org", "DEPREC_CFWS_NEAR_AT"},
		{"first.last @iana.org", "DEPREC_CFWS_NEAR_AT"}, {"test. \r\n \r\n obs@syntax.com", "DEPREC_FWS"},
		{"test.\r\n\r\n obs@syntax.com", "ERR_FWS_CRLF_X2"}, {"\"Unicode NULL \\\x00\"@char.com", "DEPREC_QP"},
		{"\"Unicode NULL \x00\"@char.com", "ERR_EXPECTING_QTEXT"}, {"Unicode NULL \\\x00@char.com", "ERR_ATEXT_AFTER_CFWS"},
		{"first.last@[IPv6:::a2:a3:a4:b1:b2:b3:b4]", "RFC5321_IPV6DEPRECATED"}, {"first.last@[IPv6::]", "RFC5322_IPV6_COLONSTRT"},
		{"first.last@[IPv6::::]", "RFC5322_IPV6_2X2XCOLON"}, {"first.last@[IPv6:a1:]", "RFC5322_IPV6_COLONEND"},
		{"first.last@[IPv6:::a2:a3:a4:b1:ffff:11.22.33.44]", "RFC5321_IPV6DEPRECATED"},
		{"first.last@[IPv6:::a3:a4:b1:ffff:11.22.33.44]", "RFC5321_ADDRESSLITERAL"},
		{"test@iana.org(comment\\)", "ERR_UNCLOSEDCOMMENT"}, {"test@iana.org(comment\\", "ERR_BACKSLASHEND"},
		{"test@[RFC-5322]-domain-literal]", "ERR_ATEXT_AFTER_DOMLIT"}, {"test@[RFC-5322-[domain-literal]", "ERR_EXPECTING_DTEXT"},
		{"test@[RFC-5322-\\\x07-domain-literal]", "RFC5322_DOMLIT_OBSDTEXT"}, {"test@[RFC-5322-\\\t-domain-literal]", "RFC5322_DOMLIT_OBSDTEXT"},
		{"test@[RFC-5322-\\]-domain-literal]", "RFC5322_DOMLIT_OBSDTEXT"}, {"test@[RFC-5322-domain-literal\\]", "ERR_UNCLOSEDDOMLIT"},
		{"test@[RFC-5322-domain-literal\\", "ERR_BACKSLASHEND"}, {"test@[RFC-5322-domain-literal] (comment)", "RFC5322_DOMAINLITERAL"},
		{"\"\x00\"@iana.org", "ERR_EXPECTING_QTEXT"}, {"\"\\\x00\"@iana.org", "DEPREC_QP"}, {"(\x00)test@iana.org", "ERR_EXPECTING_CTEXT"},
		{"\"\x07\"@iana.org", "DEPREC_QTEXT"}, {"()test@iana.org", "CFWS_COMMENT"},
		{"test@iana.org\r", "ERR_CR_NO_LF"}, {"\rtest@iana.org", "ERR_CR_NO_LF"}, {"\"\rtest\"@iana.org", "ERR_CR_NO_LF"},
		{"(\r)test@iana.org", "ERR_CR_NO_LF"}, {"test@iana.org(\r)", "ERR_CR_NO_LF"}, {"\ntest@iana.org", "ERR_EXPECTING_ATEXT"},
		{"\"\n\"@iana.org", "ERR_EXPECTING_QTEXT"}, {"\"\\\n\"@iana.org", "DEPREC_QP"}, {"(\n)test@iana.org", "ERR_EXPECTING_CTEXT"},
		{"\x07@iana.org", "ERR_EXPECTING_ATEXT"}, {"test@\x07.org", "ERR_EXPECTING_ATEXT"}, {"\"\\\x07\"@iana.org", "DEPREC_QP"},
		{"(\x07)test@iana.org", "DEPREC_CTEXT"}, {"\r\ntest@iana.org", "ERR_FWS_CRLF_END"}, {"\r\n \r\ntest@iana.org", "ERR_FWS_CRLF_END"},
		{" \r\ntest@iana.org", "ERR_FWS_CRLF_END"}, {" \r\n test@iana.org", "CFWS_FWS"}, {" \r\n \r\ntest@iana.org", "ERR_FWS_CRLF_END"},
		{" \r\n\r\ntest@iana.org", "ERR_FWS_CRLF_X2"}, {" \r\n\r\n test@iana.org", "ERR_FWS_CRLF_X2"}, {"test@iana.org\r\n ", "CFWS_FWS"},
		{"test@iana.org\r\n \r\n ", "DEPREC_FWS"}, {"test@iana.org\r\n", "ERR_FWS_CRLF_END"}, {"test@iana.org\r\n \r\n", "ERR_FWS_CRLF_END"},
		{"test@iana.org \r\n", "ERR_FWS_CRLF_END"}, {"test@iana.org \r\n ", "CFWS_FWS"}, {"test@iana.org \r\n \r\n", "ERR_FWS_CRLF_END"},
		{"test@iana.org \r\n\r\n", "ERR_FWS_CRLF_X2"}, {"test@iana.org \r\n\r\n ", "ERR_FWS_CRLF_X2"}, {" test@iana.org", "CFWS_FWS"},
		{"test@iana.org ", "CFWS_FWS"}, {"test@[IPv6:1::2:]", "RFC5322_IPV6_COLONEND"}, {"\"test\\\u00a9\"@iana.org", "ERR_EXPECTING_QPAIR"},
		{"test@iana/icann.org", "RFC5322_DOMAIN"}, {"test.(comment)test@iana.org", "DEPREC_COMMENT"}, {"test@test.com", "VALID"},
	}
	for _, c := range cases {
		if got := Syntax(c.addr); string(got.Diagnosis) != c.want {
			t.Errorf("Syntax(%q) = %s, want %s", c.addr, got.Diagnosis, c.want)
		}
	}
}

// TestSyntaxBadInput feeds what arrives in real imports and attacks: every
// case gets a clear verdict, quickly, without a panic.
func TestSyntaxBadInput(t *testing.T) {
	cases := []struct {
		name, addr string
		verdict    SyntaxVerdict
		diagnosis  Diagnosis
	}{
		{"empty", "", SyntaxInvalid, "ERR_NODOMAIN"},
		{"empty line", "\n", SyntaxInvalid, "ERR_EXPECTING_ATEXT"},
		{"blank", "   ", SyntaxInvalid, "ERR_NODOMAIN"},
		{"10 KB local part", strings.Repeat("a", 10240) + "@example.com", SyntaxInvalid, "RFC5322_TOOLONG"},
		{"10 KB domain", "a@" + strings.Repeat("b.", 5120) + "com", SyntaxInvalid, "RFC5322_TOOLONG"},
		{"300 octets", strings.Repeat("a", 60) + "@" + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 60) + "." + strings.Repeat("e", 60) + ".com", SyntaxInvalid, "RFC5322_TOOLONG"},
		{"NUL in local part", "jo\x00hn@example.com", SyntaxInvalid, "ERR_EXPECTING_ATEXT"},
		{"NUL in domain", "john@exa\x00mple.com", SyntaxInvalid, "ERR_EXPECTING_ATEXT"},
		{"CRLF header injection", "john@example.com\r\nBcc: victim@example.org", SyntaxInvalid, "ERR_FWS_CRLF_END"},
		{"CR alone", "john@example.com\r", SyntaxInvalid, "ERR_CR_NO_LF"},
		{"LF alone", "john@example.com\n", SyntaxInvalid, "ERR_EXPECTING_ATEXT"},
		{"bidi override in local part", "john\u202egpj.exe@example.com", SyntaxInvalid, "ERR_FORBIDDEN_CHAR"},
		{"bidi override in domain", "john@exa\u202emple.com", SyntaxInvalid, "ERR_FORBIDDEN_CHAR"},
		{"zero-width space", "jo\u200bhn@example.com", SyntaxInvalid, "ERR_FORBIDDEN_CHAR"},
		{"no-break space", "john\u00a0@example.com", SyntaxInvalid, "ERR_FORBIDDEN_CHAR"},
		{"C1 control", "jo\u0085hn@example.com", SyntaxInvalid, "ERR_FORBIDDEN_CHAR"},
		{"invalid UTF-8", "jo\xffhn@example.com", SyntaxInvalid, "ERR_INVALID_UTF8"},
		{"truncated UTF-8", "john@ex\xc3", SyntaxInvalid, "ERR_INVALID_UTF8"},
		{"mixed-script homograph (Cyrillic а in paypal)", "billing@p\u0430ypal.com", SyntaxRisky, "HOMOGRAPH_MIXED_SCRIPT"},
		{"homograph given as A-label", "billing@xn--pypal-4ve.com", SyntaxRisky, "HOMOGRAPH_MIXED_SCRIPT"},
		{"one script, Cyrillic", "user@пример.рф", SyntaxValid, "VALID"},
		{"whole-script confusable (all-Cyrillic apple under .com)", "user@\u0430\u0440\u0440\u04cf\u0435.com", SyntaxRisky, "HOMOGRAPH_WHOLE_SCRIPT"},
		{"all-Cyrillic look-alikes under a Cyrillic TLD", "user@\u0430\u0440\u0440\u04cf\u0435.\u0440\u0444", SyntaxValid, "VALID"},
		{"Cyrillic word that looks like no Latin one", "user@\u043f\u0440\u0438\u043c\u0435\u0440.com", SyntaxValid, "VALID"},
		{"mixed-script local part (Cyrillic о in john)", "j\u043ehn@example.com", SyntaxRisky, "HOMOGRAPH_MIXED_SCRIPT"},
		{"scripts apart in separate local elements", "jose.\u043f\u0451\u0442\u0440@example.com", SyntaxValid, "VALID"},
		{"Japanese mixes scripts legitimately", "user@日本語ドメイン.jp", SyntaxValid, "VALID"},
		{"emoji domain (not IDNA 2008)", "user@i\u2764.ws", SyntaxInvalid, "ERR_IDNA"},
		{"display name pasted", "John Smith <john@example.com>", SyntaxInvalid, "ERR_ATEXT_AFTER_CFWS"},
		{"mailto", "mailto:john@example.com", SyntaxInvalid, "ERR_EXPECTING_ATEXT"},
		{"two addresses", "a@example.com, b@example.com", SyntaxInvalid, "ERR_EXPECTING_ATEXT"},
		{"deep comments", "a" + strings.Repeat("(", 2000) + "@example.com", SyntaxInvalid, "ERR_UNCLOSEDCOMMENT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			got := Syntax(c.addr)
			if got.Verdict != c.verdict || got.Diagnosis != c.diagnosis {
				t.Errorf("Syntax(%.60q) = %s %s, want %s %s", c.addr, got.Verdict, got.Diagnosis, c.verdict, c.diagnosis)
			}
			if got.Verdict == SyntaxInvalid && (got.ASCII != "" || got.Local != "" || got.Domain != "") {
				t.Errorf("invalid address has forms %q %q %q", got.ASCII, got.Local, got.Domain)
			}
			if d := time.Since(start); d > 50*time.Millisecond {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestSyntaxForms(t *testing.T) {
	cases := []struct{ addr, ascii, local, domain string }{
		{"John.Smith@Example.COM", "John.Smith@example.com", "John.Smith", "example.com"},
		{"user@BÜCHER.example", "user@xn--bcher-kva.example", "user", "xn--bcher-kva.example"},
		{"Dörte@Sörensen.example.com", "Dörte@xn--srensen-90a.example.com", "Dörte", "xn--srensen-90a.example.com"},
		{"user@例子。广告", "user@xn--fsqu00a.xn--4rr70v", "user", "xn--fsqu00a.xn--4rr70v"},
		{"(comment)john@example.com", "john@example.com", "john", "example.com"},
		{" john@example.com ", "john@example.com", "john", "example.com"},
		{`"john doe"@example.com`, `"john doe"@example.com`, `"john doe"`, "example.com"},
		{"john@[192.0.2.1]", "john@[192.0.2.1]", "john", "[192.0.2.1]"},
	}
	for _, c := range cases {
		got := Syntax(c.addr)
		if got.ASCII != c.ascii || got.Local != c.local || got.Domain != c.domain {
			t.Errorf("Syntax(%q) forms = %q %q %q, want %q %q %q", c.addr, got.ASCII, got.Local, got.Domain, c.ascii, c.local, c.domain)
		}
	}
}

func TestSyntaxNoAllocations(t *testing.T) {
	for _, addr := range []string{"john.smith@example.com", "x@gmail.com"} {
		if n := testing.AllocsPerRun(100, func() { Syntax(addr) }); n != 0 {
			t.Errorf("Syntax(%q) allocates %v times, want 0", addr, n)
		}
	}
}

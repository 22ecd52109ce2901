package render

// scanner follows an HTML source just far enough to know where a template action stands:
// in text, inside a tag between attributes, inside an attribute value, in a comment or in the
// raw text of <style>, <script>, <title>…. It sees only the literal pieces of a template (an
// action is a value to it, as to html/template), so it can misjudge markup that only makes
// sense once branches are chosen; what it misjudges is caught by the placeholder check after
// inlining (see skeleton.go), never silently rendered wrong.
type scanner struct {
	st       hstate
	endTag   bool
	name     []byte // the current tag's name, lower case
	dashes   int    // trailing '-' seen in a comment
	raw      string // "</style" etc. while in raw text
	rawMatch int    // bytes of raw matched so far
	closed   int    // tags closed so far
}

type hstate uint8

const (
	sText hstate = iota
	sLT
	sEndLT
	sBang
	sBangDash
	sComment
	sBogus
	sTagName
	sTag
	sAttrName
	sAfterAttrName
	sBeforeValue
	sDQ
	sSQ
	sUnquoted
	sRaw
)

// rawElements hold text the HTML parser does not read as markup.
var rawElements = map[string]bool{
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true,
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func (s *scanner) feed(text string) {
	for i := 0; i < len(text); i++ {
		s.step(text[i])
	}
}

func (s *scanner) step(c byte) {
	switch s.st {
	case sText:
		if c == '<' {
			s.st = sLT
		}
	case sLT:
		switch {
		case isLetter(c):
			s.startTag(false, c)
		case c == '/':
			s.st = sEndLT
		case c == '!':
			s.st = sBang
		case c == '?':
			s.st = sBogus
		case c != '<':
			s.st = sText
		}
	case sEndLT:
		switch {
		case isLetter(c):
			s.startTag(true, c)
		case c == '>':
			s.st = sText
		default:
			s.st = sBogus
		}
	case sBang:
		s.st = sBogus
		if c == '-' {
			s.st = sBangDash
		}
	case sBangDash:
		s.st = sBogus
		if c == '-' {
			s.st, s.dashes = sComment, 0
		}
	case sComment:
		switch {
		case c == '-':
			s.dashes++
		case c == '>' && s.dashes >= 2:
			s.st = sText
		default:
			s.dashes = 0
		}
	case sBogus:
		if c == '>' {
			s.st = sText
		}
	case sTagName:
		switch {
		case isSpace(c) || c == '/':
			s.st = sTag
		case c == '>':
			s.endOfTag()
		default:
			s.name = append(s.name, c|0x20)
		}
	case sTag:
		switch {
		case c == '>':
			s.endOfTag()
		case !isSpace(c) && c != '/':
			s.st = sAttrName
		}
	case sAttrName, sAfterAttrName:
		switch {
		case c == '=':
			s.st = sBeforeValue
		case c == '>':
			s.endOfTag()
		case c == '/':
			s.st = sTag
		case isSpace(c):
			s.st = sAfterAttrName
		default:
			s.st = sAttrName
		}
	case sBeforeValue:
		switch {
		case c == '"':
			s.st = sDQ
		case c == '\'':
			s.st = sSQ
		case c == '>':
			s.endOfTag()
		case !isSpace(c):
			s.st = sUnquoted
		}
	case sDQ:
		if c == '"' {
			s.st = sTag
		}
	case sSQ:
		if c == '\'' {
			s.st = sTag
		}
	case sUnquoted:
		switch {
		case isSpace(c):
			s.st = sTag
		case c == '>':
			s.endOfTag()
		}
	case sRaw:
		switch {
		case c|0x20 == s.raw[s.rawMatch] || c == s.raw[s.rawMatch]:
			s.rawMatch++
			if s.rawMatch == len(s.raw) {
				s.st, s.endTag = sTag, true
			}
		case c == '<':
			s.rawMatch = 1
		default:
			s.rawMatch = 0
		}
	}
}

func (s *scanner) startTag(end bool, c byte) {
	s.st, s.endTag = sTagName, end
	s.name = append(s.name[:0], c|0x20)
}

func (s *scanner) endOfTag() {
	s.closed++
	if !s.endTag && rawElements[string(s.name)] {
		s.st, s.raw, s.rawMatch = sRaw, "</"+string(s.name), 0
		return
	}
	s.st = sText
}

// placeholderForm is how an action in the scanner's current state is stood in for.
func (s *scanner) placeholderForm() form {
	switch s.st {
	case sText, sLT:
		return formComment
	case sTag, sAfterAttrName:
		return formAttr
	}
	return formPlain
}

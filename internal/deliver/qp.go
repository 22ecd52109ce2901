package deliver

const upperHex = "0123456789ABCDEF"

// qpLiteral marks the bytes quoted-printable may write as they are (white space only when
// not at the end of a line).
var qpLiteral = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = c != '='
	}
	t[' '], t['\t'] = true, true
	return t
}()

// appendQP encodes s as quoted-printable (RFC 2045) with CRLF line ends. Besides the usual
// rules it encodes a dot at the start of a line, so a built message never needs SMTP
// dot-stuffing, and it ends the body with a line break. Runs of plain bytes are copied at
// once: this is most of the time spent building a message.
func appendQP(dst []byte, s string) []byte {
	col := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\n' || c == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			if c == '\r' {
				i++
			}
			dst = append(dst, '\r', '\n')
			col = 0
			i++
			continue
		}
		if col >= 75 { // 75 characters and the "=" of the soft break make 76
			dst = append(dst, '=', '\r', '\n')
			col = 0
		}
		if qpLiteral[c] && !(c == '.' && col == 0) && !qpTrailingSpace(s, i) {
			j, end := i+1, min(len(s), i+75-col)
			for j < end && qpLiteral[s[j]] && !qpTrailingSpace(s, j) {
				j++
			}
			dst = append(dst, s[i:j]...)
			col += j - i
			i = j
			continue
		}
		if col+3 > 75 {
			dst = append(dst, '=', '\r', '\n')
			col = 0
		}
		dst = append(dst, '=', upperHex[c>>4], upperHex[c&15])
		col += 3
		i++
	}
	if col > 0 {
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// qpTrailingSpace says whether s[i] is white space that ends a line (it must be encoded).
func qpTrailingSpace(s string, i int) bool {
	if c := s[i]; c != ' ' && c != '\t' {
		return false
	}
	return i+1 == len(s) || s[i+1] == '\n' || s[i+1] == '\r'
}

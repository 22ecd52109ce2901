package suppress

// Why parseRegistryLine skipped a line. reasonSkip and reasonHeader are not
// errors: blank and comment lines, and a header on line 1.
const (
	reasonSkip      = "-"
	reasonHeader    = "the line has no digits"
	reasonDigits    = "expected a ten-digit US number (4155550123, 415,5550123 or 415-555-0123)"
	reasonNANP      = "not a valid US number: the area code and the exchange cannot start with 0 or 1"
	reasonFlag      = "the line has both an add and a delete flag"
	reasonXMLOrHTML = "markup, not a number: download the flat text file"
)

// parseRegistryLine reads one line of a registry file without allocating.
// It returns a non-empty reason for a line it cannot use.
func parseRegistryLine(line []byte) (RegistryRecord, string) {
	var rec RegistryRecord
	var digits [11]byte
	nd, field, flags := 0, 0, 0
	sawAny, letters := false, false
	end := len(line)
	for end > 0 && (line[end-1] == '\n' || line[end-1] == '\r' || line[end-1] == ' ' || line[end-1] == '\t') {
		end--
	}
	start := 0
	for start < end && (line[start] == ' ' || line[start] == '\t') {
		start++
	}
	if start == end || line[start] == '#' {
		return rec, reasonSkip
	}
	if line[start] == '<' {
		return rec, reasonXMLOrHTML
	}
	for i := start; i <= end; {
		// One field: [i, j).
		j := i
		for j < end && !isFieldSep(line[j]) {
			j++
		}
		f := trimField(line[i:j])
		switch {
		case field == 0 || field == 1 && nd == 3:
			// The number: one field, or area code and number in two.
			for _, c := range f {
				switch {
				case c >= '0' && c <= '9':
					if nd == len(digits) {
						return rec, reasonDigits
					}
					digits[nd] = c
					nd++
					sawAny = true
				case c == '-' || c == '.' || c == ' ' || c == '(' || c == ')' || c == '+' || c == '/':
				default:
					letters = true
				}
			}
		default:
			switch flag(f) {
			case 'A':
				flags |= 1
			case 'D':
				flags |= 2
				rec.Delete = true
			}
		}
		field++
		i = j + 1
	}
	switch {
	case !sawAny && letters:
		return rec, reasonHeader
	case letters:
		return rec, reasonDigits
	case flags == 3:
		return rec, reasonFlag
	}
	d := digits[:nd]
	if nd == 11 && d[0] == '1' {
		d = d[1:]
	}
	if len(d) != 10 {
		return rec, reasonDigits
	}
	if d[0] < '2' || d[3] < '2' {
		return rec, reasonNANP
	}
	for _, c := range d {
		rec.Number = rec.Number*10 + uint64(c-'0')
	}
	return rec, ""
}

func isFieldSep(c byte) bool { return c == ',' || c == '\t' || c == ';' || c == '|' }

// trimField drops surrounding blanks and one pair of double quotes.
func trimField(f []byte) []byte {
	for len(f) > 0 && (f[0] == ' ' || f[0] == '\t') {
		f = f[1:]
	}
	for len(f) > 0 && (f[len(f)-1] == ' ' || f[len(f)-1] == '\t') {
		f = f[:len(f)-1]
	}
	if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
		f = f[1 : len(f)-1]
	}
	return f
}

// flag reads a change file's add or delete flag: 'A', 'D', or 0.
func flag(f []byte) byte {
	if len(f) == 0 || len(f) > 8 {
		return 0
	}
	var up [8]byte
	for i, c := range f {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up[i] = c
	}
	switch string(up[:len(f)]) {
	case "A", "ADD", "ADDED", "ADDITION":
		return 'A'
	case "D", "DEL", "DELETE", "DELETED", "DELETION":
		return 'D'
	}
	return 0
}

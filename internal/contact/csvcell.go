package contact

// NeutralizeCell protects spreadsheet users from formula injection: a cell
// beginning with = + - @ TAB or CR gets a leading single quote, as the OWASP
// CSV injection guidance recommends.
func NeutralizeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

package formats

import (
	"time"
)

// consentColumns fills the consent columns from a sign-up time and IP and a confirmation
// time and IP (any of them -1 when the file has no such column): a confirmation makes the
// action "confirmed", a sign-up alone "granted"; with neither time the row has no consent
// entry (the IPs alone prove nothing and are counted as left over).
func consentColumns(c map[string]string, sum *Summary, rec, names []string, atCol, ipCol, confAtCol, confIPCol int) error {
	at, err := eventTime(rec, names, atCol, sum)
	if err != nil {
		return err
	}
	conf, err := eventTime(rec, names, confAtCol, sum)
	if err != nil {
		return err
	}
	ip, err := ipCell(rec, names, ipCol)
	if err != nil {
		return err
	}
	confIP, err := ipCell(rec, names, confIPCol)
	if err != nil {
		return err
	}
	if at.IsZero() && conf.IsZero() {
		sum.NoEvidence++
		for col, v := range map[int]string{ipCol: ip, confIPCol: confIP} {
			if v != "" {
				sum.Leftover[trimSpace(names[col])]++
			}
		}
		return nil
	}
	c[ColConsentChannel] = "email"
	c[ColConsentAction] = ActionGranted
	if at.IsZero() { // confirmed with no sign-up time: the confirmation is the earliest proof
		at, ip = conf, ""
		if v := cell(rec, ipCol); v != "" {
			sum.Leftover[trimSpace(names[ipCol])]++
		}
	}
	c[ColConsentAt] = formatTime(at)
	set(c, ColConsentIP, ip)
	if !conf.IsZero() {
		c[ColConsentAction] = ActionConfirmed
		c[ColConsentConfirmedAt] = formatTime(conf)
		set(c, ColConsentConfirmedIP, confIP)
	} else if confIP != "" {
		sum.Leftover[trimSpace(names[confIPCol])]++
	}
	return nil
}

// eventTime reads the time in column i (zero when i is -1, the cell is empty or holds a
// zero time); a value that is not a time is a row error.
func eventTime(rec, names []string, i int, sum *Summary) (time.Time, error) {
	if i < 0 {
		return time.Time{}, nil
	}
	v := cell(rec, i)
	t, zero, assumed, ok := parseTime(v)
	if !ok {
		return time.Time{}, rowError(trimSpace(names[i]), v, "%s %s", trimSpace(names[i]), timeHelp)
	}
	if zero {
		return time.Time{}, nil
	}
	if assumed {
		sum.Assumed++
	}
	return t, nil
}

// ipCell reads the IP address in column i ("" when i is -1 or the cell is empty); a value
// that is not an address is a row error.
func ipCell(rec, names []string, i int) (string, error) {
	if i < 0 {
		return "", nil
	}
	v := cell(rec, i)
	ip, ok := parseIP(v)
	if !ok {
		return "", rowError(trimSpace(names[i]), v, "%s is not an IP address: give an IPv4 or IPv6 address, or leave the cell empty", trimSpace(names[i]))
	}
	return ip, nil
}

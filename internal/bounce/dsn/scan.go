package dsn

import (
	"regexp"
	"strings"
)

// The non-standard reports (qmail, Exim, Yahoo, Gmail's older ones, Exchange 2003, …) say in
// prose which recipients failed: an address on a line of its own (or after a short label), and
// the remote MTA's words on the lines that follow. scanText reads that shape, which all of
// them share, instead of one parser per MTA.

// originalMarkRe finds the line where a report's copy of the returned message begins.
var originalMarkRe = regexp.MustCompile(`(?im)^[ \t>]*(?:(?:-{2,}|={2,}|_{2,}|\*{2,})[ \t]*(?:original message|returned message|original mail|forwarded message|message headers?|headers of the original|unsent message)|(?:(?:-{2,}|={2,}|_{2,}|\*{2,})[ \t]*)?(?:original message:\s*$|below this line is a copy|this is a copy of|message headers follow|header of original message|original message follows|the original message (?:follows|is (?:attached|included|below))|copy of the original message|unsent message below|the headers of your message|your message reads|original message header|content-type: message/rfc822|以下は|元のメッセージ|原始邮件|исходное сообщение))`)

func originalStart(text string) int {
	// Line by line, with a cheap test first: the expression on all of a long text is slow.
	for off := 0; off < len(text); {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += off
		}
		line := text[off:end]
		if markStart(line) && markHint(line) && originalMarkRe.MatchString(line) {
			return off
		}
		off = end + 1
	}
	return -1
}

// markStart tells a line that may be a mark by how it begins: every mark, after leading
// blanks, ">" and a rule of dashes (or =, _, *), starts with one of a few letter pairs or with
// a non-ASCII letter. Most lines fail this, and the expression is not tried on them
// (FuzzMarkStart holds that no line the expression matches fails it).
func markStart(line string) bool {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '>') {
		i++
	}
	for i < len(line) && (line[i] == '-' || line[i] == '=' || line[i] == '_' || line[i] == '*') {
		i++
	}
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i >= len(line) {
		return false
	}
	if line[i] >= 0x80 {
		return true
	}
	if i+1 >= len(line) {
		return false
	}
	switch string([]byte{asciiLower[line[i]], asciiLower[line[i+1]]}) {
	case "or", "re", "fo", "me", "he", "un", "be", "th", "co", "yo":
		return true
	}
	return false
}

// markHint tells a line that may be a mark of the returned message.
func markHint(line string) bool {
	if len(line) < 6 {
		return false
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c >= 0x80 {
			return true // the marks in other scripts
		}
		switch c | 0x20 {
		case 'm', 'c', 'h', 'y':
			if i+4 <= len(line) {
				switch strings.ToLower(line[i : i+4]) {
				case "mess", "copy", "head", "your", "cont":
					return true
				}
			}
		}
	}
	return false
}

// labelRe is a recipient line: an address after at most a short label ("To:", "Recipient
// address:", "Failed recipient:", "RCPT TO:", a list bullet), with at most a short tail.
var labelRe = regexp.MustCompile(`(?i)^[\s>*\-•]*(?:[245]\d\d[ \-]+)?(?:(?:original |final |failed |invalid |unknown |intended )?(?:recipient|rcpt|address|addressee|destinataire|empfänger|user|mailbox|e-?mail)(?:\(s\))?(?: address)?(?: to)?\s*[:=]\s*|rfc822;\s*|<)?("?[^\s<>"@:]+@[A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9]"?)>?\s*(?:[:.,;]|\.\.\.|\(.*\)|\[.*\]|\s+on\s+\w{3},?\s.*|$)`)

// inlineAddrRe is a recipient named inside a line of fields ("[Status: Error, Address:
// <a@example.org>, ResponseCode 421, …]").
var inlineAddrRe = regexp.MustCompile(`(?i)\b(?:address|recipient|rcpt to|final-recipient|original-recipient)\s*[:=]\s*(?:rfc822;\s*)?<?([^\s<>"@:,;]+@[A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9])>?`)

// shortLabelRe is an address at the end of a line after a short label ("Delivery failed 20
// attempts: a@example.org").
var shortLabelRe = regexp.MustCompile(`^\s*([A-Za-z][^:@<>"]{2,40}):\s*<?([^\s<>"@:,;]+@[A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9])>?\s*$`)

// notRecipientLabel are the labels of header lines quoted in reports, which name others.
var notRecipientLabel = map[string]bool{"from": true, "reply-to": true, "return-path": true, "sender": true,
	"cc": true, "bcc": true, "message-id": true, "in-reply-to": true, "references": true, "errors-to": true,
	"delivered-to": true, "x-original-to": true, "envelope-from": true, "x-sender": true,
	"original-envelope-id": true, "envelope-id": true, "x-envelope-from": true, "x-postfix-sender": true,
	"return-receipt-to": true, "disposition-notification-to": true}

// sendmailStatementRe is a line of Sendmail's own report about a host or address.
var sendmailStatementRe = regexp.MustCompile(`^[245]\d\d [^\s<>]+(?: \([a-z]+\))?\.\.\. `)

var headerLineRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9\-]*:\s`)

// scanText finds the failed recipients in the report's text.
func (p *parser) scanText() {
	text := p.own
	sender := strings.ToLower(firstAddress(p.rep.Original.ReturnPath) + " " + firstAddress(p.rep.Original.From) + " " + firstAddress(p.top.Get("To")))
	lines := strings.Split(text, "\n")
	if len(lines) > maxLineScan {
		lines = lines[:maxLineScan]
	}
	var rcpts []Recipient
	seen := map[string]int{}
	cur := -1
	var preamble []string // lines before the first recipient: a diagnostic some reports put there
	for _, line := range lines {
		t := strings.TrimRight(line, " \t")
		if cur >= 0 && headerLineRe.MatchString(t) && (strings.HasPrefix(t, "Received:") || strings.HasPrefix(t, "Return-Path:")) {
			break // an inline copy of the returned message
		}
		if addr, ok := recipientLine(t); ok {
			low := strings.ToLower(addr)
			if isSystemAddress(low) || (sender != "" && strings.Contains(sender, low)) {
				if cur >= 0 {
					rcpts[cur].Diagnostic += "\n" + t
				}
				continue
			}
			if i, dup := seen[low]; dup {
				cur = i
				rest := strings.TrimSpace(strings.Replace(t, addr, "", 1))
				if len(rest) > 12 {
					rcpts[cur].Diagnostic += "\n" + t
				}
				continue
			}
			seen[low] = len(rcpts)
			cur = len(rcpts)
			r := Recipient{Address: firstAddress(addr)}
			// The line may carry the diagnostic itself ("<a@b>: 550 no such user").
			if rest := strings.TrimSpace(strings.Replace(t, addr, "", 1)); len(rest) > 12 {
				r.Diagnostic = t
			}
			rcpts = append(rcpts, r)
			if len(rcpts) >= maxRcpts {
				break
			}
			continue
		}
		if cur >= 0 {
			if sendmailStatementRe.MatchString(t) {
				// Sendmail's "550 host... text": a statement of its own about another
				// address or host, not the current recipient's explanation.
				continue
			}
			if len(rcpts[cur].Diagnostic) < maxDiagLen {
				rcpts[cur].Diagnostic += "\n" + t
			}
		} else {
			preamble = append(preamble, t)
		}
	}
	if len(rcpts) == 0 {
		// No recipient line: take the addresses next to an error code, then the returned
		// message's To.
		for _, line := range lines {
			if findReply(line) == "" && findStatus(line) == "" {
				continue
			}
			for _, a := range addrRe.FindAllString(line, 4) {
				a = firstAddress(a)
				low := strings.ToLower(a)
				if a == "" || isSystemAddress(low) || strings.Contains(sender, low) {
					continue
				}
				if _, dup := seen[low]; !dup {
					seen[low] = len(rcpts)
					rcpts = append(rcpts, Recipient{Address: a, Diagnostic: line})
				}
			}
		}
		if len(rcpts) == 0 {
			// Then an address on a line whose words tell a reason ("You are not a member of
			// this mailing list <list@example.org>").
			for _, line := range lines {
				a := firstAddress(addrRe.FindString(line))
				low := strings.ToLower(a)
				if a == "" || isSystemAddress(low) || strings.Contains(sender, low) {
					continue
				}
				if r := classify(facts{diag: line}); r != "onhold" && r != "undefined" && r != "delivered" {
					rcpts = append(rcpts, Recipient{Address: a, Diagnostic: line})
					break
				}
			}
		}
		if len(rcpts) == 0 {
			if a := firstAddress(p.rep.Original.To); a != "" {
				rcpts = append(rcpts, Recipient{Address: a, Diagnostic: text})
			}
		}
	}
	pre := strings.TrimSpace(strings.Join(preamble, "\n"))
	for i := range rcpts {
		d := strings.TrimSpace(rcpts[i].Diagnostic)
		if d == "" || (findStatus(d) == "" && findReply(d) == "" && len(d) < 20) {
			// The explanation is a paragraph shared by every recipient.
			d = strings.TrimSpace(d + "\n" + pre)
		}
		rcpts[i].Diagnostic = d
		if strings.Contains(strings.ToLower(pre), "temporar") || strings.Contains(strings.ToLower(pre), "delayed") || strings.Contains(strings.ToLower(pre), "will continue") || strings.Contains(strings.ToLower(pre), "still trying") {
			if rcpts[i].Action == "" {
				rcpts[i].Action = "delayed"
			}
		} else {
			rcpts[i].Action = "failed"
		}
	}
	p.rep.Recipients = rcpts
}

// recipientLine tells a line that names a recipient (and little else) and returns the address
// as written.
func recipientLine(line string) (string, bool) {
	if !strings.Contains(line, "@") || len(line) > 200 {
		return "", false
	}
	m := labelRe.FindStringSubmatch(line)
	if m == nil {
		if m = inlineAddrRe.FindStringSubmatch(line); m == nil {
			if m = shortLabelRe.FindStringSubmatch(line); m == nil || notRecipientLabel[strings.ToLower(strings.TrimSpace(m[1]))] {
				return "", false
			}
			m = m[1:]
		}
	}
	a := strings.Trim(m[1], `"`)
	if !addrRe.MatchString(a) {
		return "", false
	}
	return a, true
}

var systemLocalRe = regexp.MustCompile(`^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|noreply|no-reply|double-bounce|abuse|root)@`)

func isSystemAddress(low string) bool { return systemLocalRe.MatchString(low) }

package policy

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
)

//go:embed freemail.txt
var freemailData string

// freemail is a set of free-mail domains: exact names and "label.*" wildcards.
type freemail struct {
	exact    map[string]struct{}
	wildcard map[string]struct{} // first label, e.g. "yahoo"
}

func newFreemail(add, remove []string) (freemail, error) {
	fm := freemail{exact: map[string]struct{}{}, wildcard: map[string]struct{}{}}
	sc := bufio.NewScanner(strings.NewReader(freemailData))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fm.add(line); err != nil {
			return fm, err
		}
	}
	for _, d := range add {
		if err := fm.add(d); err != nil {
			return fm, fmt.Errorf("free-mail domain: %w", err)
		}
	}
	for _, d := range remove {
		d = strings.ToLower(strings.TrimSpace(d))
		if label, ok := strings.CutSuffix(d, ".*"); ok {
			delete(fm.wildcard, label)
		} else {
			delete(fm.exact, d)
		}
	}
	return fm, nil
}

func (fm freemail) add(d string) error {
	d = strings.ToLower(strings.TrimSpace(d))
	if label, ok := strings.CutSuffix(d, ".*"); ok {
		if label == "" || strings.Contains(label, ".") {
			return fmt.Errorf("%q: a wildcard is one label followed by .* (e.g. yahoo.*)", d)
		}
		fm.wildcard[label] = struct{}{}
		return nil
	}
	if !strings.Contains(d, ".") || strings.ContainsAny(d, " @*") {
		return fmt.Errorf("%q is not a domain name (e.g. gmail.com)", d)
	}
	fm.exact[d] = struct{}{}
	return nil
}

// contains reports whether domain (any case, optional trailing dot) is a free-mail domain.
// It does not allocate: names are lowered into a stack buffer.
func (fm freemail) contains(domain string) bool {
	domain = strings.TrimSuffix(domain, ".")
	var buf [256]byte
	if len(domain) == 0 || len(domain) > len(buf) {
		return false
	}
	for i := 0; i < len(domain); i++ {
		c := domain[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	d := buf[:len(domain)]
	if _, ok := fm.exact[string(d)]; ok {
		return true
	}
	dot := strings.IndexByte(domain, '.')
	if dot <= 0 || dot == len(domain)-1 {
		return false
	}
	_, ok := fm.wildcard[string(d[:dot])]
	return ok
}

// IsFreeMail reports whether the default policy treats domain as a free-mail (personal) domain.
func IsFreeMail(domain string) bool { return defaultPolicy.freemail.contains(domain) }

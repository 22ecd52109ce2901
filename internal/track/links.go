package track

import (
	"html"
	"strings"
)

// RewriteLinks appends to dst the HTML src with the href of every <a> element replaced by
// what rewrite returns for its target (the unescaped URL); when rewrite says false the
// link is left as it is (mailto:, the unsubscribe and preference links, anchors). It is a
// scanner, not a parser: it runs once per message on the send path, where a full HTML
// parse would cost more than the rest of the message. Comments, and the contents of
// <script>, <style> and <textarea>, are skipped as a browser would; the fuzz test holds it
// to golang.org/x/net/html's tokenizer on which links it finds.
func RewriteLinks(dst []byte, src string, rewrite func(target string) (string, bool)) []byte {
	for {
		i := strings.IndexByte(src, '<')
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		src = src[i:]
		if len(src) < 2 || !(isLetter(src[1]) || src[1] == '!' || src[1] == '/' || src[1] == '?') {
			// Not a tag: a '<' in text.
			dst, src = append(dst, '<'), src[1:]
			continue
		}
		switch {
		case strings.HasPrefix(src, "<!--"):
			end := strings.Index(src[4:], "-->")
			if end < 0 {
				return append(dst, src...)
			}
			end += 4 + 3
			dst, src = append(dst, src[:end]...), src[end:]
			continue
		case rawTextStart(src) != "":
			name := rawTextStart(src)
			end := indexFold(src[1:], "</"+name)
			if end < 0 {
				return append(dst, src...)
			}
			end++
			dst, src = append(dst, src[:end]...), src[end:]
			continue
		}
		n := tagEnd(src)
		tag := src[:n]
		src = src[n:]
		if isAnchor(tag) && tag[len(tag)-1] == '>' { // a tag cut off by the end is no tag
			dst = rewriteHref(dst, tag, rewrite)
		} else {
			dst = append(dst, tag...)
		}
	}
}

// rawTextStart names the element whose contents are raw text when src opens one.
func rawTextStart(src string) string {
	for _, name := range [...]string{"script", "style", "textarea"} {
		if len(src) > len(name)+1 && strings.EqualFold(src[1:1+len(name)], name) && tagNameEnds(src[1+len(name)]) {
			return name
		}
	}
	return ""
}

func tagNameEnds(c byte) bool {
	return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// tagEnd is the length of the tag at the start of src: up to its '>' outside quoted
// attribute values, or all of src when it does not end.
func tagEnd(src string) int {
	var quote byte
	for i := 1; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			// A quote opens a value only after '='; elsewhere it is part of a name.
			if j := lastNonSpace(src[:i]); j >= 0 && src[j] == '=' {
				quote = c
			}
		case c == '>':
			return i + 1
		}
	}
	return len(src)
}

func lastNonSpace(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if !isSpace(s[i]) {
			return i
		}
	}
	return -1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func isAnchor(tag string) bool {
	return len(tag) > 2 && (tag[1] == 'a' || tag[1] == 'A') && tagNameEnds(tag[2])
}

// rewriteHref copies the tag, replacing the value of its first href attribute.
func rewriteHref(dst []byte, tag string, rewrite func(string) (string, bool)) []byte {
	i := 2
	for i < len(tag) {
		for i < len(tag) && (isSpace(tag[i]) || tag[i] == '/') {
			i++
		}
		if i >= len(tag) || tag[i] == '>' {
			break
		}
		nameStart := i
		for i < len(tag) && !isSpace(tag[i]) && tag[i] != '=' && tag[i] != '>' && !(tag[i] == '/' && i > nameStart) {
			i++
		}
		name := tag[nameStart:i]
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		if i >= len(tag) || tag[i] != '=' {
			if strings.EqualFold(name, "href") {
				rewrite("") // the first href wins, even an empty one: nothing to track
				break
			}
			continue // an attribute without a value
		}
		i++
		for i < len(tag) && isSpace(tag[i]) {
			i++
		}
		valStart, valEnd := i, i
		if i < len(tag) && (tag[i] == '"' || tag[i] == '\'') {
			q := tag[i]
			end := strings.IndexByte(tag[i+1:], q)
			if end < 0 {
				break
			}
			valStart, valEnd = i+1, i+1+end
			i = valEnd + 1
		} else {
			for i < len(tag) && !isSpace(tag[i]) && tag[i] != '>' {
				i++
			}
			valEnd = i
		}
		if !strings.EqualFold(name, "href") {
			continue
		}
		target := strings.TrimSpace(html.UnescapeString(tag[valStart:valEnd]))
		to, ok := rewrite(target)
		if !ok {
			break
		}
		dst = append(dst, tag[:valStart]...)
		if valStart == valEnd || (tag[valStart-1] != '"' && tag[valStart-1] != '\'') {
			// An unquoted value: quote the new one.
			dst = append(dst, '"')
			dst = append(dst, html.EscapeString(to)...)
			dst = append(dst, '"')
		} else {
			dst = append(dst, html.EscapeString(to)...)
		}
		return append(dst, tag[valEnd:]...)
	}
	return append(dst, tag...)
}

// indexFold is strings.Index ignoring ASCII case of sub.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

package contact

import (
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// invalidByte is written for undecodable input. It is never valid UTF-8, so
// the reader reports the row instead of silently storing U+FFFD.
const invalidByte = 0xFF

// utf16Decoder converts UTF-16 to UTF-8 like x/text's decoder, except that
// unpaired surrogates and a trailing odd byte become invalidByte.
type utf16Decoder struct{ bigEndian bool }

// Reset implements transform.Transformer.
func (d *utf16Decoder) Reset() {}

func (d *utf16Decoder) unit(b []byte) rune {
	if d.bigEndian {
		return rune(b[0])<<8 | rune(b[1])
	}
	return rune(b[1])<<8 | rune(b[0])
}

// Transform implements transform.Transformer.
func (d *utf16Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		left := len(src) - nSrc
		if left < 2 {
			if !atEOF {
				return nDst, nSrc, transform.ErrShortSrc
			}
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = invalidByte
			return nDst + 1, nSrc + 1, nil
		}
		r, size := d.unit(src[nSrc:]), 2
		switch {
		case r < utf8.RuneSelf:
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = byte(r)
			nDst++
			nSrc += 2
			continue
		case utf16.IsSurrogate(r) && r < 0xDC00 && left >= 4:
			r2 := d.unit(src[nSrc+2:])
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				r, size = dec, 4
			} else {
				r = -1
			}
		case utf16.IsSurrogate(r) && r < 0xDC00 && !atEOF:
			return nDst, nSrc, transform.ErrShortSrc
		case utf16.IsSurrogate(r):
			r = -1
		}
		if r < 0 {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = invalidByte
			nDst++
			nSrc += 2
			continue
		}
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc += size
	}
	return nDst, nSrc, nil
}

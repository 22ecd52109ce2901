package contact

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// ErrEmptyFile is returned by NewRowSource for input with no content.
var ErrEmptyFile = errors.New("file is empty")

// ErrBinaryFile is returned by NewRowSource for input that is not text.
var ErrBinaryFile = errors.New("file looks binary, not CSV or JSON lines")

// sampleBytes is how much of the input decides the encoding.
const sampleBytes = 64 << 10

// textEncoding is a decision about how the input bytes become UTF-8.
type textEncoding struct {
	name   string
	bomLen int // bytes to skip at the start
}

var (
	encUTF8    = textEncoding{name: "utf-8"}
	encUTF16LE = textEncoding{name: "utf-16le"}
	encUTF16BE = textEncoding{name: "utf-16be"}
	encLatin1  = textEncoding{name: "windows-1252"}
)

// decoder returns a fresh transformer to UTF-8, nil for UTF-8 input.
func (e textEncoding) decoder() transform.Transformer {
	switch e.name {
	case encUTF16LE.name:
		return &utf16Decoder{}
	case encUTF16BE.name:
		return &utf16Decoder{bigEndian: true}
	case encLatin1.name:
		return charmap.Windows1252.NewDecoder()
	}
	return nil
}

func (e textEncoding) utf16() bool { return e.name == encUTF16LE.name || e.name == encUTF16BE.name }

// decodeInput chooses the encoding from label or, for "" and "auto", from
// the first 64 KiB of br, and returns a reader of the input as UTF-8.
func decodeInput(br *bufio.Reader, label string) (*bufio.Reader, error) {
	sample, err := br.Peek(sampleBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read input: %w", err)
	}
	enc, err := chooseEncoding(sample, label)
	if err != nil {
		return nil, err
	}
	if len(sample) == enc.bomLen {
		return nil, ErrEmptyFile
	}
	if sampleLooksBinary(sample[enc.bomLen:], enc) {
		return nil, fmt.Errorf("%w: export it as CSV (UTF-8) or JSON lines and try again", ErrBinaryFile)
	}
	if _, err := br.Discard(enc.bomLen); err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	dec := enc.decoder()
	if dec == nil {
		return br, nil
	}
	return bufio.NewReaderSize(transform.NewReader(br, dec), sampleBytes), nil
}

// chooseEncoding applies an explicit label or detects the encoding.
func chooseEncoding(sample []byte, label string) (textEncoding, error) {
	bom := bomEncoding(sample)
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(label)), "_", "-") {
	case "", "auto":
		return detectEncoding(sample, bom), nil
	case "utf-8", "utf8":
		return withBOM(encUTF8, bom), nil
	case "utf-16", "utf16":
		if bom.bomLen > 0 && bom.utf16() {
			return bom, nil
		}
		if le, be := utf16Pattern(sample); be && !le {
			return encUTF16BE, nil
		}
		return encUTF16LE, nil
	case "utf-16le", "utf16le":
		return withBOM(encUTF16LE, bom), nil
	case "utf-16be", "utf16be":
		return withBOM(encUTF16BE, bom), nil
	case "latin-1", "latin1", "iso-8859-1", "iso8859-1", "windows-1252", "cp1252":
		return encLatin1, nil
	}
	return textEncoding{}, fmt.Errorf("unknown encoding %s: use utf-8, utf-16, utf-16le, utf-16be or latin-1 (or leave it out to detect)", quoteShort(label))
}

// withBOM skips the byte-order mark when it matches the chosen encoding.
func withBOM(enc, bom textEncoding) textEncoding {
	if bom.name == enc.name {
		enc.bomLen = bom.bomLen
	}
	return enc
}

// bomEncoding reads a byte-order mark; bomLen is 0 when there is none.
func bomEncoding(b []byte) textEncoding {
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		e := encUTF8
		e.bomLen = 3
		return e
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		e := encUTF16LE
		e.bomLen = 2
		return e
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		e := encUTF16BE
		e.bomLen = 2
		return e
	}
	return textEncoding{}
}

// detectEncoding: a byte-order mark wins; then the NUL pattern of UTF-16;
// then UTF-8 if the sample is mostly valid UTF-8 (see mostlyUTF8); anything
// else is taken as Windows-1252 (the usual meaning of "Latin-1" in exported
// spreadsheets).
func detectEncoding(sample []byte, bom textEncoding) textEncoding {
	if bom.bomLen > 0 {
		return bom
	}
	switch le, be := utf16Pattern(sample); {
	case le:
		return encUTF16LE
	case be:
		return encUTF16BE
	}
	if mostlyUTF8(sample) {
		return encUTF8
	}
	return encLatin1
}

// mostlyUTF8 decides between UTF-8 and Windows-1252 for a sample without a
// byte-order mark. The rule: the sample is UTF-8 when it has no invalid
// bytes (pure ASCII included), or when its valid multi-byte sequences are at
// least as many as its invalid bytes. So a UTF-8 export with a stray bad byte
// or two ("Müller", "B\xffb", "Zoë") is read as UTF-8 and the rows with the
// bad bytes become row errors, instead of every accented name in the file
// being silently mis-decoded; while a Latin-1 file, whose accented letters
// are lone high bytes and almost never form valid UTF-8 sequences by
// accident, stays Windows-1252. A rune cut off by the end of the sample
// counts as neither.
func mostlyUTF8(b []byte) bool {
	multi, invalid := utf8Counts(b)
	return invalid == 0 || multi >= invalid
}

// utf8Counts counts the valid multi-byte sequences of b and its bytes that
// are not part of any valid sequence, ignoring a rune cut off at the end.
func utf8Counts(b []byte) (multi, invalid int) {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r != utf8.RuneError || size > 1:
			multi++
		case !utf8.FullRune(b[i:]):
			return multi, invalid // cut off by the end of the sample
		default:
			invalid++
		}
		i += size
	}
	return multi, invalid
}

// utf16Pattern looks for the NUL bytes that text mostly in the Latin script
// has in UTF-16: every other byte, on the odd side (LE) or the even (BE).
func utf16Pattern(b []byte) (le, be bool) {
	pairs := len(b) / 2
	if pairs < 2 {
		return false, false
	}
	var even, odd int
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	le = odd*4 >= pairs && even*10 <= odd
	be = even*4 >= pairs && odd*10 <= even
	return le, be
}

// sampleLooksBinary applies looksBinary to the sample as enc decodes it:
// UTF-16 is decoded first, so that a binary file whose every other byte is
// NUL, which passes for UTF-16, is still refused as binary. Its decoded
// text is held to the same rule as 8-bit text; a NUL in it (two NUL bytes
// in a code unit) is never text.
func sampleLooksBinary(sample []byte, enc textEncoding) bool {
	if !enc.utf16() {
		return looksBinary(sample)
	}
	text, _, err := transform.Bytes(enc.decoder(), sample)
	if err != nil { // not expected: the decoder accepts any input
		return true
	}
	return looksBinary(text)
}

// looksBinary reports NUL bytes, or control bytes other than TAB, LF, VT,
// FF, CR and SUB in at least 1% of the sample, which no exported list
// contains.
func looksBinary(b []byte) bool {
	ctrl := 0
	for _, c := range b {
		switch {
		case c == 0:
			return true
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1a:
			ctrl++
		case c == 0x7f:
			ctrl++
		}
	}
	return ctrl > 0 && ctrl*100 >= len(b)
}

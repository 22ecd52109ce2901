package contact

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

// utf16Bytes encodes s as UTF-16, with a byte-order mark if bom.
func utf16Bytes(s string, bigEndian, bom bool) []byte {
	order := binary.AppendByteOrder(binary.LittleEndian)
	if bigEndian {
		order = binary.BigEndian
	}
	var b []byte
	if bom {
		b = order.AppendUint16(b, 0xFEFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return b
}

// nulInterleaved is binary data with a NUL after every byte, which has the
// NUL pattern of UTF-16LE.
func nulInterleaved(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, 0, 2*n)
	for range n {
		b = append(b, byte(rng.UintN(255)+1), 0)
	}
	return b
}

func TestDetectEncoding(t *testing.T) {
	filler := strings.Repeat("f@x.org,Filler\n", 100)
	tests := []struct {
		name string
		data string
		want string
	}{
		{"empty", "", "utf-8"},
		{"ascii", "email,name\na@x.org,Ann\n", "utf-8"},
		{"valid utf-8", "email,name\na@x.org,Müller\n", "utf-8"},
		{"utf-8 BOM", "\xef\xbb\xbfemail,name\na@x.org,Ann\n", "utf-8"},
		{"utf-8 rune cut at the end of the sample", "email,name\na@x.org,M\xc3", "utf-8"},
		{"utf-8 3-byte rune cut at the end", "email,name\na@x.org,\xe2\x82", "utf-8"},
		// Mostly valid UTF-8: read as UTF-8, the bad rows become row errors.
		{"one invalid byte, two valid runes", "email,name\na@x.org,Müller\nb@x.org,B\xffb\nc@x.org,Zoë\n", "utf-8"},
		{"one invalid byte, one valid rune", "email,name\na@x.org,Müller\nb@x.org,B\xffb\n", "utf-8"},
		{"latin-1 byte among utf-8", "email,name\na@x.org,Müller\nb@x.org,Zoë\nc@x.org,Fran\xe7oise\n", "utf-8"},
		{"invalid bytes amid ascii filler", "email,name\na@x.org,Müller\n" + filler + "b@x.org,B\xffb\n", "utf-8"},
		{"truncated sequence, many valid runes", "email,name\na@x.org,Zoë\nb@x.org,Ren\xc3e\nc@x.org,Jürgen\n", "utf-8"},
		// No valid multi-byte sequence, or more invalid bytes than valid ones.
		{"latin-1", "email,name\na@x.org,M\xfcller\nc@x.org,Fran\xe7oise\n", "windows-1252"},
		{"windows-1252 quotes", "email,note\na@x.org,\x93hi\x94 \x80\n", "windows-1252"},
		{"latin-1, one accidental valid pair", "email,name\na@x.org,\xc3\xa9t\xe9\nb@x.org,Fran\xe7oise\nc@x.org,M\xfcller\n", "windows-1252"},
		{"single high byte", "email,name\na@x.org,\xe9\n", "windows-1252"},
		{"utf-16le BOM", string(utf16Bytes("email\na@x.org\n", false, true)), "utf-16le"},
		{"utf-16be BOM", string(utf16Bytes("email\na@x.org\n", true, true)), "utf-16be"},
		{"utf-16le", string(utf16Bytes("email\na@x.org\n", false, false)), "utf-16le"},
		{"utf-16be", string(utf16Bytes("email\na@x.org\n", true, false)), "utf-16be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sample := []byte(tt.data)
			if got := detectEncoding(sample, bomEncoding(sample)); got.name != tt.want {
				t.Errorf("detectEncoding = %s, want %s", got.name, tt.want)
			}
		})
	}
}

// TestReadMostlyUTF8 checks that a UTF-8 file with a few invalid bytes is
// read as UTF-8, its bad rows reported and its good rows intact.
func TestReadMostlyUTF8(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		opts    ReadOptions
		want    [][]string
		badRows []int
	}{
		{"csv", "email,name\na@x.org,Müller\nb@x.org,B\xffb\nc@x.org,Zoë\n", ReadOptions{},
			[][]string{{"1", "email=a@x.org", "name=Müller"}, {"3", "email=c@x.org", "name=Zoë"}}, []int{2}},
		{"csv, latin-1 row", "email,name\na@x.org,Müller\nb@x.org,Zoë\nc@x.org,Fran\xe7oise\n", ReadOptions{},
			[][]string{{"1", "email=a@x.org", "name=Müller"}, {"2", "email=b@x.org", "name=Zoë"}}, []int{3}},
		{"jsonl", `{"email":"a@x.org","name":"Müller"}` + "\n" + `{"email":"b@x.org","name":"B` + "\xff" + `b"}` + "\n" +
			`{"email":"c@x.org","name":"Zoë"}` + "\n", ReadOptions{},
			[][]string{{"1", "email=a@x.org", "name=Müller"}, {"3", "email=c@x.org", "name=Zoë"}}, []int{2}},
		{"latin-1 stays latin-1", "email,name\na@x.org,M\xfcller\nc@x.org,Fran\xe7oise\n", ReadOptions{},
			[][]string{{"1", "email=a@x.org", "name=Müller"}, {"2", "email=c@x.org", "name=Françoise"}}, nil},
		{"explicit latin-1 wins", "email,name\na@x.org,Müller\nb@x.org,B\xffb\n", ReadOptions{Encoding: "latin-1"},
			[][]string{{"1", "email=a@x.org", "name=MÃ¼ller"}, {"2", "email=b@x.org", "name=Bÿb"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, []byte(tt.data), tt.opts)
			if diff := cmp.Diff(tt.want, got.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			var bad []int
			for _, e := range got.errs {
				bad = append(bad, e.Row)
				if !strings.Contains(e.Reason, "not valid UTF-8") || !strings.Contains(e.Reason, "--encoding latin-1") {
					t.Errorf("row %d: reason %q does not say the row is not UTF-8 and how to fix it", e.Row, e.Reason)
				}
			}
			if diff := cmp.Diff(tt.badRows, bad); diff != "" {
				t.Errorf("bad rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUTF16BinaryCheck(t *testing.T) {
	text := "email,name\r\na@x.org,Müller\r\nc@x.org,Zoë 😀\r\n"
	rows := [][]string{{"1", "email=a@x.org", "name=Müller"}, {"2", "email=c@x.org", "name=Zoë 😀"}}
	// Text rows with NULs between the bytes, as UTF-16LE without a BOM, but with control characters.
	ctrl := bytes.Repeat(utf16Bytes("email\x01\x02\x03\x04\x05\x06\x07\x08\n", false, false), 3)
	tests := []struct {
		name string
		data []byte
		enc  string
		bin  bool // refused as binary; otherwise read as rows
	}{
		{"utf-16le BOM", utf16Bytes(text, false, true), "", false},
		{"utf-16be BOM", utf16Bytes(text, true, true), "", false},
		{"utf-16le no BOM", utf16Bytes(text, false, false), "", false},
		{"utf-16be no BOM", utf16Bytes(text, true, false), "", false},
		{"utf-16le explicit", utf16Bytes(text, false, false), "utf-16le", false},
		{"utf-16 tab-separated", utf16Bytes(strings.NewReplacer(",", "\t").Replace(text), false, true), "", false},
		{"NUL every other byte", nulInterleaved(4096, 1), "", true},
		{"NUL every other byte, short", []byte("P\x00K\x00\x03\x00\x04\x00\x14\x00\x08\x00a\x00b\x00"), "", true},
		{"NUL every other byte, BE", append([]byte{0}, nulInterleaved(4096, 3)...), "", true},
		{"NUL every other byte, explicit utf-16", nulInterleaved(4096, 4), "utf-16", true},
		{"NUL every other byte, utf-16le BOM", append([]byte{0xff, 0xfe}, nulInterleaved(4096, 5)...), "", true},
		{"NUL code unit", utf16Bytes("email\na@x.org\x00\n", false, true), "", true},
		{"control characters in utf-16", ctrl, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.bin {
				got := readAll(t, tt.data, ReadOptions{Encoding: tt.enc})
				if diff := cmp.Diff(rows, got.Rows); diff != "" || len(got.errs) > 0 {
					t.Errorf("rows (-want +got):\n%s\nerrors: %v", diff, got.errs)
				}
				return
			}
			_, err := NewRowSource(bytes.NewReader(tt.data), ReadOptions{Encoding: tt.enc})
			if !errors.Is(err, ErrBinaryFile) || !strings.Contains(err.Error(), "looks binary") {
				t.Errorf("error = %v, want %v", err, ErrBinaryFile)
			}
		})
	}
}

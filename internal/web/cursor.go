package web

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// Page sizes of listings.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// encodeCursor makes the opaque cursor that continues a listing after id.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

// decodeCursor reads a cursor from encodeCursor; "" means the first page.
func decodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if id, perr := strconv.ParseInt(string(b), 10, 64); perr == nil && id > 0 {
			return id, nil
		}
	}
	msg := "the cursor is not one this API gave out: pass next_cursor from the previous page unchanged, or leave it out to start from the first page"
	return 0, huma.Error400BadRequest(msg, &huma.ErrorDetail{Location: "query.cursor", Message: msg, Value: c})
}

// nameCursorPrefix marks a cursor of a listing by name (lists, templates), so that an id
// cursor of another listing is refused rather than read as a name.
const nameCursorPrefix = "name:"

// encodeNameCursor makes the opaque cursor that continues a listing by name after name.
func encodeNameCursor(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(nameCursorPrefix + name))
}

// decodeNameCursor reads a cursor from encodeNameCursor; "" means the first page.
func decodeNameCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if name, ok := strings.CutPrefix(string(b), nameCursorPrefix); err == nil && ok && name != "" {
		return name, nil
	}
	msg := "the cursor is not one this API gave out: pass next_cursor from the previous page unchanged, or leave it out to start from the first page"
	return "", huma.Error400BadRequest(msg, &huma.ErrorDetail{Location: "query.cursor", Message: msg, Value: c})
}

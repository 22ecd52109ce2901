package consent

import "github.com/clearlist/clearlist/internal/chain"

// Digest is a SHA-256 hash of an entry; it prints and marshals as hex.
type Digest = chain.Digest

// Genesis is the PrevHash of the first entry of every workspace: 32 zero bytes.
var Genesis = chain.Genesis

// hashVersion names the encoding below; a new encoding gets a new name, so that old entries
// can still be verified with the old one. v2 appends Evidence.Prechecked; it is used only for
// entries whose box was pre-ticked, so every entry without it hashes as it always did (v1).
const (
	hashVersion   = "clearlist/consent/v1"
	hashVersionV2 = "clearlist/consent/v2"
)

// Hash computes an entry's hash: SHA-256 over a length-prefixed encoding of every field
// except Hash itself, PrevHash included. Each field is written as its length (8 bytes, big
// endian) followed by its bytes, in a fixed order, so no two entries encode alike. Times are
// UTC RFC 3339 with exactly six fraction digits (the zero time is the empty string), the
// precision both database engines keep.
//
// An entry whose box was pre-ticked is encoded as v2: the v1 fields followed by the flag.
func Hash(e Entry) Digest {
	version := hashVersion
	if e.Evidence.Prechecked {
		version = hashVersionV2
	}
	h := chain.NewEncoder(version)
	h.Num(e.ID)
	h.Num(e.Seq)
	h.Num(e.WorkspaceID)
	h.Num(e.ContactID)
	h.Str(e.Purpose)
	h.Str(string(e.Channel))
	h.Str(string(e.Action))
	h.Str(string(e.Basis))
	ev := e.Evidence
	h.Str(ev.Wording)
	h.Str(ev.FormID)
	h.Str(ev.FormVersion)
	h.Str(ev.IP)
	h.Str(ev.UserAgent)
	h.Time(ev.Timestamp)
	h.Str(ev.DocumentRef)
	h.Str(ev.Collector)
	h.Num(e.SourceID)
	h.Str(e.Actor)
	h.Time(e.RecordedAt)
	h.Bytes(e.PrevHash)
	if e.Evidence.Prechecked {
		h.Str("prechecked")
	}
	return h.Sum()
}

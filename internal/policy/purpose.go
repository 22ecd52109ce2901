package policy

import (
	"errors"
	"fmt"
	"strings"
)

// Purpose is a workspace's reason for contacting people, e.g. "newsletter".
type Purpose struct {
	Name string `json:"name"`
	// Marketing is true for direct marketing; false for service/transactional messages,
	// which rely on the contract and need no marketing consent.
	Marketing bool `json:"marketing"`
	// OwnSimilarProducts marks marketing of the workspace's own products similar to those a
	// customer bought: the only marketing a soft opt-in covers.
	OwnSimilarProducts bool `json:"own_similar_products"`
	// Essential marks service messages necessary for the contract or a legal obligation
	// (e.g. security notices): they are sent even after the contact objected to the purpose.
	Essential bool `json:"essential"`
}

// DefaultPurposes returns the purposes a new workspace starts with.
func DefaultPurposes() []Purpose {
	return []Purpose{
		{Name: "newsletter", Marketing: true},
		{Name: "product-updates", Marketing: true, OwnSimilarProducts: true},
		{Name: "security-notices", Essential: true},
		{Name: "surveys", Marketing: true},
		{Name: "partner-offers", Marketing: true},
	}
}

// ErrUnknownPurpose is wrapped by the error Purposes.Lookup returns for an unknown name.
var ErrUnknownPurpose = errors.New("unknown purpose")

// Purposes is a workspace's set of purposes, looked up by name.
type Purposes struct {
	list   []Purpose
	byName map[string]int
}

// NewPurposes checks the purposes (non-empty, unique names, essential only for service
// purposes) and indexes them.
func NewPurposes(ps []Purpose) (*Purposes, error) {
	s := &Purposes{list: append([]Purpose(nil), ps...), byName: make(map[string]int, len(ps))}
	for i, p := range s.list {
		switch {
		case p.Name == "" || strings.TrimSpace(p.Name) != p.Name:
			return nil, fmt.Errorf("purpose %d: name %q must be non-empty without surrounding spaces", i+1, p.Name)
		case p.Marketing && p.Essential:
			return nil, fmt.Errorf("purpose %q: a marketing purpose cannot be essential", p.Name)
		case !p.Marketing && p.OwnSimilarProducts:
			return nil, fmt.Errorf("purpose %q: own-similar-products applies to marketing purposes only", p.Name)
		}
		if _, dup := s.byName[p.Name]; dup {
			return nil, fmt.Errorf("purpose %q is listed twice", p.Name)
		}
		s.byName[p.Name] = i
	}
	return s, nil
}

// Lookup returns the named purpose; the error lists the valid names.
func (s *Purposes) Lookup(name string) (Purpose, error) {
	if i, ok := s.byName[name]; ok {
		return s.list[i], nil
	}
	return Purpose{}, fmt.Errorf("%w %q: use one of %s", ErrUnknownPurpose, name, strings.Join(s.Names(), ", "))
}

// Names returns the purpose names in their declared order.
func (s *Purposes) Names() []string {
	out := make([]string, len(s.list))
	for i, p := range s.list {
		out[i] = p.Name
	}
	return out
}

// Channel is the medium of a message.
type Channel uint8

// The channels. The zero value is not valid.
const (
	ChannelEmail Channel = iota + 1
	ChannelPhone
	ChannelSMS
	numChannels = int(ChannelSMS) + 1
)

var channelNames = [numChannels]string{ChannelEmail: "email", ChannelPhone: "phone", ChannelSMS: "sms"}

// ErrUnknownChannel is wrapped by the error ParseChannel returns.
var ErrUnknownChannel = errors.New("unknown channel")

// String returns "email", "phone" or "sms".
func (c Channel) String() string {
	if c.Valid() {
		return channelNames[c]
	}
	return fmt.Sprintf("Channel(%d)", uint8(c))
}

// Valid reports whether c is a defined channel.
func (c Channel) Valid() bool { return c > 0 && int(c) < numChannels }

// ParseChannel maps "email" (or "e-mail"), "phone" and "sms" to a Channel.
func ParseChannel(s string) (Channel, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "email", "e-mail":
		return ChannelEmail, nil
	case "phone":
		return ChannelPhone, nil
	case "sms":
		return ChannelSMS, nil
	}
	return 0, fmt.Errorf("%w %q: use one of email, phone, sms", ErrUnknownChannel, s)
}

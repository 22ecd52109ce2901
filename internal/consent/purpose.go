package consent

import (
	"fmt"
	"strings"
)

// Purpose is why a workspace contacts people; consent is given per purpose and channel.
type Purpose struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Marketing   bool   `json:"marketing"` // false: a service or transactional purpose
	// SimilarProducts marks marketing of the workspace's own products similar to those a
	// customer bought: the only marketing a soft opt-in covers. Marketing purposes only.
	SimilarProducts bool `json:"similar_products"`
	// Essential marks a service message necessary for the contract or a legal obligation
	// (e.g. security notices): sent even after the contact objected. Service purposes only.
	Essential bool `json:"essential"`
}

// DefaultPurposes are the purposes every workspace starts with.
func DefaultPurposes() []Purpose {
	return []Purpose{
		{Name: "newsletter", Description: "the regular newsletter", Marketing: true},
		{Name: "product-updates", Description: "news about products and features", Marketing: true, SimilarProducts: true},
		{Name: "security-notices", Description: "security and service notices about what the person uses", Marketing: false, Essential: true},
		{Name: "surveys", Description: "surveys and requests for feedback", Marketing: true},
		{Name: "partner-offers", Description: "offers from partners", Marketing: true},
	}
}

// ValidatePurpose checks a purpose's name (lower-case letters, digits and hyphens, at most
// 64 characters) and description.
func ValidatePurpose(p Purpose) error {
	if err := validPurposeName(p.Name); err != nil {
		return err
	}
	if err := checkText("purpose description", p.Description); err != nil {
		return err
	}
	if p.SimilarProducts && !p.Marketing {
		return fmt.Errorf("%w: purpose %q: similar products (soft opt-in) applies to marketing purposes only, not to service messages", ErrInvalid, p.Name)
	}
	if p.Essential && p.Marketing {
		return fmt.Errorf("%w: purpose %q: only a service purpose can be essential; a marketing purpose never is", ErrInvalid, p.Name)
	}
	return nil
}

func validPurposeName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: purpose is empty: name one, e.g. newsletter", ErrInvalid)
	}
	if len(name) > 64 {
		return fmt.Errorf("%w: purpose %q is longer than 64 characters", ErrInvalid, name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("%w: purpose %q: use lower-case letters, digits and hyphens only", ErrInvalid, name)
		}
	}
	if strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-") {
		return fmt.Errorf("%w: purpose %q must not start or end with a hyphen", ErrInvalid, name)
	}
	return nil
}

// Channel is how a person is contacted.
type Channel string

// The channels consent can be given for.
const (
	Email Channel = "email"
	Phone Channel = "phone"
	SMS   Channel = "sms"
)

// Channels lists the valid channels.
var Channels = []Channel{Email, Phone, SMS}

// ValidateChannel checks that c is a known channel and says which ones exist if not.
func ValidateChannel(c Channel) error {
	return oneOf("channel", c, Channels)
}

package policy

import (
	"strings"
	"testing"
)

// softOptIn is what each jurisdiction's law says of soft opt-in for marketing e-mail to an
// existing customer about the sender's own similar products, written out here rather than
// read from rules.json, so that a rule switched off there fails: "soft" (allowed on soft
// opt-in), "refused" (consent needed) or "opt-out" (allowed anyway, opt-out regime).
var softOptIn = map[string]string{
	"jur-eea":     "soft", // ePrivacy Directive Art. 13(2)
	"jur-de":      "soft", // UWG §7(3)
	"jur-fr":      "soft", // CPCE art. L34-5
	"jur-nl":      "soft", // Telecommunicatiewet art. 11.7(2)
	"jur-es":      "soft", // LSSI art. 21(2)
	"jur-it":      "soft", // D.Lgs. 196/2003 art. 130(4)
	"jur-pl":      "soft",
	"jur-se":      "soft", // Marknadsföringslagen 19 §
	"jur-uk":      "soft", // PECR reg. 22(3)
	"jur-us":      "opt-out",
	"jur-us-ca":   "opt-out",
	"jur-ca":      "refused", // CASL knows implied consent (tested apart), not soft opt-in
	"jur-unknown": "refused",
}

// TestSoftOptInPerCountry: for every country code of every jurisdiction, both ways to soft
// opt-in (a shop's soft opt-in source; an existing customer told at collection) give the
// verdict the law of that country gives.
func TestSoftOptInPerCountry(t *testing.T) {
	routes := map[string]func(f *Facts){
		"shop source": func(f *Facts) { f.Source = SourceFacts{Type: SourceShopSoftOptIn} },
		"existing customer": func(f *Facts) {
			f.Source = SourceFacts{Type: SourceAPI}
			f.Customer = CustomerFacts{Existing: true, SoftOptInNotice: true}
		},
	}
	for _, j := range Default().Jurisdictions() {
		want, ok := softOptIn[j.ID]
		if !ok {
			t.Errorf("jurisdiction %s (%s) has no soft opt-in case: add it to softOptIn", j.ID, j.Name)
			continue
		}
		codes := j.Codes
		if len(codes) == 0 {
			codes = []string{"ZZ"}
		}
		for _, code := range codes {
			for route, set := range routes {
				f := base(SourceAPI)
				f.Country, f.Region, f.EmailDomain = code, "", "example.com"
				if c, _, isRegion := strings.Cut(code, "-"); isRegion {
					f.Country, f.Region = c, code
				}
				f.Purpose, f.Consent = productUpdates, ConsentFacts{}
				set(&f)
				v := Evaluate(&f)
				var good bool
				switch want {
				case "soft":
					good = v.Allowed && v.Basis == BasisSoftOptIn
				case "refused":
					good = !v.Allowed
				case "opt-out":
					good = v.Allowed && v.Basis == BasisOptOutRegime
				}
				if v.Jurisdiction != j.ID || !good {
					t.Errorf("%s %s (%s): jurisdiction %s allowed=%v basis=%q; want %s under %s%s",
						code, route, j.Name, v.Jurisdiction, v.Allowed, v.Basis, want, j.ID, dump(v))
				}
			}
		}
	}
}

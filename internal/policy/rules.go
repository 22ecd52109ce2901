package policy

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:embed rules.json
var defaultRules []byte

// ruleFile is the shape of rules.json.
type ruleFile struct {
	Version       string       `json:"version"`
	Sources       []sourceRow  `json:"sources"`
	Rules         []generalRow `json:"rules"`
	PhoneDefault  channelRow   `json:"phone_default"`
	Jurisdictions []jurisdRow  `json:"jurisdictions"`
}

type sourceRow struct {
	Slug      string   `json:"slug"`
	Rule      string   `json:"rule"`
	Case      string   `json:"case"`
	Label     string   `json:"label"`
	Default   string   `json:"default"` // allow | refuse | conditional
	Condition string   `json:"condition"`
	Own       bool     `json:"own"`
	Warnings  []string `json:"warnings"` // warning codes raised when the source's consent is used
	Citation  string   `json:"citation"`
	Allowed   string   `json:"allowed"`
	Refused   string   `json:"refused"`
}

type generalRow struct {
	ID       string `json:"id"`
	Outcome  string `json:"outcome"`
	Citation string `json:"citation"`
	Text     string `json:"text"`
}

type channelRow struct {
	Rule                  string `json:"rule"`
	Regime                string `json:"regime"` // consent | opt-out
	SoftOptIn             bool   `json:"soft_opt_in"`
	B2BLI                 bool   `json:"b2b_li"`
	PostalAddress         bool   `json:"postal_address"`
	DNC                   bool   `json:"dnc"`
	Note                  string `json:"note"`
	ImpliedPurchaseMonths int    `json:"implied_purchase_months"`
	ImpliedInquiryMonths  int    `json:"implied_inquiry_months"`
	Citation              string `json:"citation"`
	Allowed               string `json:"allowed"`
	Refused               string `json:"refused"`
}

type jurisdRow struct {
	ID    string      `json:"id"`
	Name  string      `json:"name"`
	Codes []string    `json:"codes"`
	Email *channelRow `json:"email"`
	SMS   *channelRow `json:"sms"`
	Phone *channelRow `json:"phone"`
}

// condition is what turns a conditional source into an acceptable one.
type condition uint8

const (
	condNone                   condition = iota // always acceptable (with ledger consent)
	condNever                                   // never a source of consent
	condDoubleOptIn                             // confirmed double opt-in
	condDoubleOptInOrWritten                    // double opt-in or a signed form
	condOnBehalfOf                              // collected on the workspace's behalf
	condWrittenPermission                       // explicit written permission
	condCollectionEvidence                      // documented collection
	condVerifiablePermission                    // explicit permission, verifiable (written or DOI)
	condSeparateBoxDoubleOptIn                  // separate box and double opt-in
	condSoftOptIn                               // soft opt-in only, no consent
)

var conditionNames = map[string]condition{
	"": condNone, "never": condNever, "double-opt-in": condDoubleOptIn,
	"double-opt-in-or-written": condDoubleOptInOrWritten, "on-behalf-of": condOnBehalfOf,
	"written-permission": condWrittenPermission, "collection-evidence": condCollectionEvidence,
	"verifiable-permission": condVerifiablePermission, "separate-box-double-opt-in": condSeparateBoxDoubleOptIn,
	"soft-opt-in": condSoftOptIn,
}

func parseRules(data []byte) (*ruleFile, error) {
	var rf ruleFile
	if err := json.Unmarshal(data, &rf); err != nil {
		return nil, fmt.Errorf("policy rules: %w", err)
	}
	if rf.Version == "" {
		return nil, fmt.Errorf("policy rules: version is missing (use a date, e.g. 2026-11-25)")
	}
	return &rf, nil
}

// reason builds a compiled reason whose text ends with "(rule id)".
func reason(id, citation string, o Outcome, text string) Reason {
	return Reason{RuleID: id, Citation: citation, Outcome: o, Text: text + " (rule " + id + ")"}
}

package verify

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// SettingProbe is the workspace setting that, when "true", lets verification connect to mail
// servers (SMTP RCPT probe).
const SettingProbe = "verify.probe"

// listSettings are the workspace's changes to the embedded verification lists: comma-separated
// domains (or, for roles, local parts), each applied with Lists.With.
var listSettings = map[string]func(o *Overrides, v []string){
	"verify.disposable.add":    func(o *Overrides, v []string) { o.AddDisposable = v },
	"verify.disposable.remove": func(o *Overrides, v []string) { o.RemoveDisposable = v },
	"verify.free.add":          func(o *Overrides, v []string) { o.AddFree = v },
	"verify.free.remove":       func(o *Overrides, v []string) { o.RemoveFree = v },
	"verify.role.add":          func(o *Overrides, v []string) { o.AddRoles = v },
	"verify.role.remove":       func(o *Overrides, v []string) { o.RemoveRoles = v },
	"verify.known.add":         func(o *Overrides, v []string) { o.AddKnown = v },
}

// Settings are the workspace settings of address verification and what they do.
var Settings = map[string]string{
	SettingProbe:               "true: verification may ask the receiving mail server whether a mailbox exists (SMTP, no message sent)",
	"verify.disposable.add":    "domains to treat as disposable, comma-separated",
	"verify.disposable.remove": "domains not to treat as disposable",
	"verify.free.add":          "domains to treat as free-mail (personal) providers",
	"verify.free.remove":       "domains not to treat as free-mail providers",
	"verify.role.add":          "local parts to treat as role accounts (e.g. einkauf, ventas)",
	"verify.role.remove":       "local parts not to treat as role accounts",
	"verify.known.add":         "real domains never to flag as typos (your own, your partners')",
}

// NormalizeSetting checks a value for one of the Settings of verification and returns the
// form it is stored in (lists without blanks, booleans as true or false). Package workspace,
// which stores every setting, calls it for these names.
func NormalizeSetting(name, value string) (string, error) {
	if _, ok := Settings[name]; !ok {
		return "", fmt.Errorf("unknown verification setting %q: use one of %v", name, slices.Sorted(maps.Keys(Settings)))
	}
	if apply, ok := listSettings[name]; ok {
		var o Overrides
		items := splitItems(value)
		apply(&o, items)
		if _, err := Default().With(o); err != nil {
			return "", fmt.Errorf("setting %s: %w", name, err)
		}
		return strings.Join(items, ","), nil
	}
	b, err := strconv.ParseBool(value)
	if err != nil {
		return "", fmt.Errorf("setting %s: give true or false, not %q", name, value)
	}
	return strconv.FormatBool(b), nil
}

// probeAllowed reads the workspace's SettingProbe.
func (s *Service) probeAllowed(ctx context.Context, ws int64) (bool, error) {
	if s.cfg.Settings == nil {
		return false, nil
	}
	return s.cfg.Settings.SettingBool(ctx, ws, SettingProbe)
}

func splitItems(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// workspaceLists returns the verification lists with the workspace's changes, and a key that
// changes when they do ("" for the embedded lists).
func (s *Service) workspaceLists(ctx context.Context, ws int64) (*Lists, string, error) {
	set, err := s.st.Settings(ctx, ws)
	if err != nil {
		return nil, "", err
	}
	var o Overrides
	var key []string
	for _, name := range slices.Sorted(maps.Keys(listSettings)) {
		if v := set[name]; v != "" {
			listSettings[name](&o, splitItems(v))
			key = append(key, name+"="+v)
		}
	}
	if len(key) == 0 {
		return Default(), "", nil
	}
	l, err := Default().With(o)
	if err != nil {
		return nil, "", fmt.Errorf("the workspace's verification lists: %w (fix them with `clearlist setting set`)", err)
	}
	return l, strings.Join(key, ";"), nil
}

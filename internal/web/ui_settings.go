package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/bounce/espsettings"
	"github.com/clearlist/clearlist/internal/campaign"
	wsp "github.com/clearlist/clearlist/internal/workspace"
)

// settingGroup is one form of the settings page: settings that belong together.
type settingGroup struct {
	Key, Title, Intro string
	Names             []string // nil: every setting no other group holds (secrets excepted)
}

// settingGroups are the forms of the settings page, in order.
var settingGroups = []settingGroup{
	{Key: "sender", Title: "Sender identity and postal address",
		Intro: "Every campaign message's footer names the sender and carries the postal address; a campaign does not start without them. The From and Reply-To addresses are set per campaign.",
		Names: []string{wsp.SettingSenderName, wsp.SettingPostalAddress, wsp.SettingTransactionalFrom, wsp.SettingBounceDomain, wsp.SettingInboundDomains}},
	{Key: "thresholds", Title: "Thresholds and retention",
		Intro: "When a campaign pauses itself, when soft bounces put an address on the do-not-contact list, and how long records are kept.",
		Names: []string{wsp.SettingMaxBounceRate, wsp.SettingMaxComplaintRate, wsp.SettingBounceSoftLimit, wsp.SettingBounceSoftWindowDays,
			wsp.SettingBounceKeepDays, wsp.SettingDeadlineHours, wsp.SettingAuditRetention, wsp.SettingTransactionalRate}},
	{Key: "tracking", Title: "Tracking",
		Intro: "Opens and clicks are counted only when switched on here; per-person counts need their own switch.",
		Names: []string{wsp.SettingTrackOpens, wsp.SettingTrackClicks, wsp.SettingTrackIndividual}},
	{Key: "other", Title: "Other settings", Intro: "Verification, do-not-contact deadlines, the sign-up API and campaign defaults."},
}

// groupNames returns the settings of a group, by name.
func groupNames(g settingGroup) []string {
	if g.Names != nil {
		return g.Names
	}
	var out []string
	for _, n := range wsp.SettingNames() {
		taken := slices.ContainsFunc(settingGroups, func(o settingGroup) bool { return slices.Contains(o.Names, n) })
		if !taken && !espsettings.Secret(n) {
			out = append(out, n)
		}
	}
	return out
}

// settingField is one setting in a form: its value (or the value typed, after an error).
type settingField struct {
	Name, Meaning, Value, Error string
	Set, Bool                   bool
}

// settingForm is a group with its fields.
type settingForm struct {
	settingGroup
	Fields []settingField
	Saved  bool
}

// settingsData is the settings page.
type settingsData struct {
	Nav   uiNav
	Forms []settingForm
	Error string
}

// fieldID is the HTML id of a setting's input.
func fieldID(name string) string { return "set-" + strings.ReplaceAll(name, ".", "-") }

func (s *Server) uiSettings(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, settingsRoute, "settings", s.cfg.Workspaces != nil) {
		return
	}
	s.renderSettings(w, r, http.StatusOK, "", nil, r.URL.Query().Get("saved"))
}

// renderSettings shows the forms with the workspace's values; the group posted keeps what
// was typed and shows each field's error.
func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, group string, bad map[string]string, saved string) {
	ss, _ := sessionOf(r.Context())
	values, err := s.cfg.Workspaces.SettingValues(r.Context(), ss.WorkspaceID)
	if err != nil {
		s.uiFail(w, r, "settings", "settings", err)
		return
	}
	byName := map[string]wsp.SettingValue{}
	for _, v := range values {
		byName[v.Name] = v
	}
	d := settingsData{Nav: s.nav(r, "settings")}
	if len(bad) > 0 {
		d.Error = "Some values are not right; nothing was saved. Each one says what to give."
	}
	for _, g := range settingGroups {
		f := settingForm{settingGroup: g, Saved: saved == g.Key}
		for _, n := range groupNames(g) {
			v := byName[n]
			fd := settingField{Name: n, Meaning: v.Meaning, Value: v.Value, Set: v.Set, Bool: wsp.IsBoolSetting(n)}
			if g.Key == group {
				fd.Value, fd.Error = r.PostForm.Get(n), bad[n]
			}
			f.Fields = append(f.Fields, fd)
		}
		d.Forms = append(d.Forms, f)
	}
	s.renderUI(w, r, status, settingsPage(d))
}

func (s *Server) uiSaveSettings(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, setSettingsRoute, "settings", s.cfg.Workspaces != nil) {
		return
	}
	key := r.PostForm.Get("group")
	i := slices.IndexFunc(settingGroups, func(g settingGroup) bool { return g.Key == key })
	if i < 0 {
		s.uiError(w, r, "settings", http.StatusBadRequest, "That form is out of date; reload the settings page.")
		return
	}
	values := map[string]string{}
	for _, n := range groupNames(settingGroups[i]) {
		if v, ok := r.PostForm[n]; ok {
			values[n] = strings.TrimSpace(v[0])
		}
	}
	ss, _ := sessionOf(r.Context())
	bad, err := s.cfg.Workspaces.SetSettings(r.Context(), ss.WorkspaceID, values)
	if err != nil {
		s.uiFail(w, r, "settings", "settings", err)
		return
	}
	if len(bad) > 0 {
		s.renderSettings(w, r, http.StatusBadRequest, key, bad, "")
		return
	}
	uiDone(w, r, "/ui/settings?saved="+key+"#group-"+key)
}

// dkimData is the DKIM page: the keys with their records, and the form to make one.
type dkimData struct {
	Nav                         uiNav
	Keys                        []campaign.DKIMKeyInfo
	Domain, Selector, Algorithm string
	DomainError, SelectorError  string
	Error                       string
}

func (s *Server) uiDKIM(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, dkimRoute, "settings", s.cfg.DKIM != nil) {
		return
	}
	s.renderDKIM(w, r, http.StatusOK, dkimData{Algorithm: campaign.DKIMRSA})
}

func (s *Server) renderDKIM(w http.ResponseWriter, r *http.Request, status int, d dkimData) {
	ss, _ := sessionOf(r.Context())
	keys, err := s.cfg.DKIM.Keys(r.Context(), ss.WorkspaceID)
	if err != nil {
		s.uiFail(w, r, "settings", "DKIM keys", err)
		return
	}
	d.Nav, d.Keys = s.nav(r, "settings"), keys
	s.renderUI(w, r, status, dkimPage(d))
}

func (s *Server) uiGenerateDKIM(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, makeDKIMRoute, "settings", s.cfg.DKIM != nil) {
		return
	}
	d := dkimData{Domain: r.PostForm.Get("domain"), Selector: r.PostForm.Get("selector"), Algorithm: r.PostForm.Get("algorithm")}
	ss, _ := sessionOf(r.Context())
	_, err := s.cfg.DKIM.Generate(r.Context(), ss.WorkspaceID, d.Domain, d.Selector, d.Algorithm)
	if errors.Is(err, campaign.ErrInvalid) {
		msg := strings.NewReplacer("--domain", "domain", "--selector", "selector", "--algorithm", "algorithm").Replace(err.Error())
		switch {
		case strings.Contains(err.Error(), "--domain"):
			d.DomainError = msg
		case strings.Contains(err.Error(), "--selector"):
			d.SelectorError = msg
		default:
			d.Error = msg
		}
		s.renderDKIM(w, r, http.StatusBadRequest, d)
		return
	}
	if err != nil {
		s.uiFail(w, r, "settings", "DKIM key", err)
		return
	}
	uiDone(w, r, "/ui/settings/dkim")
}

// txtRecord is a DKIM key's record in zone-file form, ready to paste (as `keys dkim show`).
func txtRecord(k campaign.DKIMKeyInfo) string {
	v := k.Record
	var parts []string
	for len(v) > 255 {
		parts, v = append(parts, `"`+v[:255]+`"`), v[255:]
	}
	return k.RecordName + ". IN TXT " + strings.Join(append(parts, `"`+v+`"`), " ")
}

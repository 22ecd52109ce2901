package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
)

// auditData is a page of the audit trail, newest first, with the filters asked for.
type auditData struct {
	Nav                                 uiNav
	Query                               url.Values // the filters, kept in the next page's link
	Entity, Action, Actor, Since, Until string
	Entries                             []audit.Entry
	NextBefore                          int64
	Error                               string
}

func (s *Server) uiAudit(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiAuditRoute, "audit", s.cfg.Audit != nil) {
		return
	}
	q := r.URL.Query()
	d := auditData{Nav: s.nav(r, "audit"), Query: url.Values{}, Entity: strings.TrimSpace(q.Get("entity")),
		Action: strings.TrimSpace(q.Get("action")), Actor: strings.TrimSpace(q.Get("actor")), Since: q.Get("since"), Until: q.Get("until")}
	f := audit.Filter{Entity: d.Entity, Action: d.Action, Actor: d.Actor, Limit: uiOpsPageSize + 1}
	for k, v := range map[string]string{"entity": d.Entity, "action": d.Action, "actor": d.Actor, "since": d.Since, "until": d.Until} {
		if v != "" {
			d.Query.Set(k, v)
		}
	}
	var bad []string
	day := func(v, name string, next bool) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			bad = append(bad, name)
			return time.Time{}
		}
		if next {
			t = t.AddDate(0, 0, 1) // until a day: to its end
		}
		return t
	}
	f.Since, f.Until = day(d.Since, "from", false), day(d.Until, "to", true)
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			bad = append(bad, "page")
		}
		f.Before = n
	}
	if len(bad) > 0 {
		d.Error = "Give the dates as YYYY-MM-DD (" + strings.Join(bad, ", ") + " could not be read), or start again from the first page."
		s.renderUI(w, r, http.StatusBadRequest, auditPage(d))
		return
	}
	ss, _ := sessionOf(r.Context())
	es, err := s.cfg.Audit.List(r.Context(), ss.WorkspaceID, f)
	if err != nil {
		s.uiFail(w, r, "audit", "audit trail", err)
		return
	}
	if len(es) > uiOpsPageSize {
		es = es[:uiOpsPageSize]
		d.NextBefore = es[uiOpsPageSize-1].Seq
	}
	d.Entries = es
	s.renderUI(w, r, http.StatusOK, auditPage(d))
}

// actorText names an entry's actor in one line.
func actorText(a audit.Actor) string {
	parts := []string{string(a.Kind)}
	if a.Name != "" {
		parts = append(parts, a.Name)
	} else if a.ID != "" {
		parts = append(parts, a.ID)
	}
	if a.Role != "" {
		parts = append(parts, "("+a.Role+")")
	}
	return strings.Join(parts, " ")
}

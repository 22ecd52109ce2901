package web

import (
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/webhook"
)

// tokensData is the API tokens page; Secret is a new token's, shown this once.
type tokensData struct {
	Nav                  uiNav
	Tokens               []access.Token
	Name, Role           string
	NameError, RoleError string
	Created              *access.Token
	Secret               string
}

func (s *Server) uiTokens(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, tokensRoute, "settings", s.cfg.TokenAdmin != nil) {
		return
	}
	s.renderTokens(w, r, http.StatusOK, tokensData{Role: access.RoleMarketer})
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, d tokensData) {
	ss, _ := sessionOf(r.Context())
	ts, err := s.cfg.TokenAdmin.List(r.Context(), ss.WorkspaceID)
	if err != nil {
		s.uiFail(w, r, "settings", "API tokens", err)
		return
	}
	d.Nav, d.Tokens = s.nav(r, "settings"), ts
	s.renderUI(w, r, status, tokensPage(d))
}

func (s *Server) uiCreateToken(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, createTokenRoute, "settings", s.cfg.TokenAdmin != nil) {
		return
	}
	d := tokensData{Name: strings.TrimSpace(r.PostForm.Get("name")), Role: r.PostForm.Get("role")}
	ss, _ := sessionOf(r.Context())
	t, secret, err := s.cfg.TokenAdmin.Create(r.Context(), ss.WorkspaceID, d.Name, d.Role)
	switch {
	case err != nil && strings.HasPrefix(err.Error(), "role "):
		d.RoleError = err.Error()
	case err != nil && strings.HasPrefix(err.Error(), "a token needs a name"):
		d.NameError = err.Error()
	case err != nil:
		s.uiFail(w, r, "settings", "API token", err)
		return
	}
	if err != nil {
		s.renderTokens(w, r, http.StatusBadRequest, d)
		return
	}
	// The secret is in this answer only: it is stored as a hash and never shown again.
	noStore(w)
	s.renderTokens(w, r, http.StatusOK, tokensData{Role: access.RoleMarketer, Created: &t, Secret: secret})
}

func (s *Server) uiRevokeToken(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, revokeTokenRoute, "settings", s.cfg.TokenAdmin != nil) {
		return
	}
	id, ok := pathID(r)
	ss, _ := sessionOf(r.Context())
	var err error = errs.ErrNotFound
	if ok {
		err = s.cfg.TokenAdmin.Revoke(r.Context(), ss.WorkspaceID, id)
	}
	if err != nil {
		s.uiFail(w, r, "settings", "live API token", err)
		return
	}
	uiDone(w, r, "/ui/settings/tokens")
}

// webhooksData is the webhooks page; Secret is a new webhook's signing secret, shown once.
type webhooksData struct {
	Nav           uiNav
	Hooks         []webhook.Webhook
	URL, URLError string
	Created       *webhook.Webhook
	Secret        string
}

func (s *Server) uiWebhooks(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, webhooksRoute, "settings", s.cfg.Webhooks != nil) {
		return
	}
	s.renderWebhooks(w, r, http.StatusOK, webhooksData{})
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, d webhooksData) {
	ss, _ := sessionOf(r.Context())
	hs, err := s.cfg.Webhooks.List(r.Context(), ss.WorkspaceID)
	if err != nil {
		s.uiFail(w, r, "settings", "webhooks", err)
		return
	}
	d.Nav, d.Hooks = s.nav(r, "settings"), hs
	s.renderUI(w, r, status, webhooksPage(d))
}

func (s *Server) uiAddWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, addWebhookRoute, "settings", s.cfg.Webhooks != nil) {
		return
	}
	d := webhooksData{URL: strings.TrimSpace(r.PostForm.Get("url"))}
	ss, _ := sessionOf(r.Context())
	h, err := s.cfg.Webhooks.Create(r.Context(), ss.WorkspaceID, d.URL)
	if err != nil && strings.HasPrefix(err.Error(), "webhook URL") { // webhook.CheckURL's answer
		d.URLError = err.Error()
		s.renderWebhooks(w, r, http.StatusBadRequest, d)
		return
	}
	if err != nil {
		s.uiFail(w, r, "settings", "webhook", err)
		return
	}
	noStore(w)
	s.renderWebhooks(w, r, http.StatusOK, webhooksData{Created: &h, Secret: hex.EncodeToString(h.Secret)})
}

func (s *Server) uiDisableWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, dropWebhookRoute, "settings", s.cfg.Webhooks != nil) {
		return
	}
	id, ok := pathID(r)
	ss, _ := sessionOf(r.Context())
	var err error = errs.ErrNotFound
	if ok {
		err = s.cfg.Webhooks.Disable(r.Context(), ss.WorkspaceID, id)
	}
	if err != nil {
		s.uiFail(w, r, "settings", "webhook", err)
		return
	}
	uiDone(w, r, "/ui/settings/webhooks")
}

// webhookLogLimit is how many deliveries a page of a webhook's log shows.
const webhookLogLimit = 50

// webhookLogData is a page of a webhook's delivery log; NextCursor continues it.
type webhookLogData struct {
	Nav        uiNav
	Hook       webhook.Webhook
	Deliveries []webhook.Delivery
	Older      bool // not the first page
	NextCursor string
}

func (s *Server) uiWebhookLog(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, webhookLogRoute, "settings", s.cfg.Webhooks != nil) {
		return
	}
	id, _ := pathID(r)
	before, err := decodeCursor(r.URL.Query().Get("cursor"))
	if err != nil {
		s.uiError(w, r, "settings", http.StatusBadRequest, "That page link is out of date; start again from the newest deliveries.")
		return
	}
	ss, _ := sessionOf(r.Context())
	d := webhookLogData{Nav: s.nav(r, "settings"), Older: before > 0}
	// The service call of GET /api/v1/webhooks/{id}/deliveries.
	if d.Hook, d.Deliveries, err = s.cfg.Webhooks.DeliveryLog(r.Context(), ss.WorkspaceID, id, before, webhookLogLimit+1); err != nil {
		s.uiFail(w, r, "settings", "webhook", err)
		return
	}
	if len(d.Deliveries) > webhookLogLimit {
		d.Deliveries = d.Deliveries[:webhookLogLimit]
		d.NextCursor = encodeCursor(d.Deliveries[webhookLogLimit-1].ID)
	}
	s.renderUI(w, r, http.StatusOK, webhookLogPage(d))
}

// deliveryState says in words where a webhook delivery stands.
func deliveryState(d webhook.Delivery) string {
	switch {
	case d.DeliveredAt != nil:
		return "delivered " + when(*d.DeliveredAt)
	case d.FailedAt != nil:
		return "gave up " + when(*d.FailedAt)
	}
	return "pending, next try " + when(d.NextAt)
}

// idPath is a path with an id in it: /ui/settings/tokens/{id}/revoke.
func idPath(prefix string, id int64, suffix string) string {
	return prefix + strconv.FormatInt(id, 10) + suffix
}

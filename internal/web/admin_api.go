package web

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/bounce/espsettings"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/user"
	"github.com/clearlist/clearlist/internal/webhook"
)

// The API routes of the admin UI's settings, people and assessment pages: the pages are
// gated by these routes (routeRoles) and call the same service methods.
const (
	settingsRoute    = "GET /api/v1/settings"
	setSettingsRoute = "PUT /api/v1/settings"
	tokensRoute      = "GET /api/v1/tokens"
	createTokenRoute = "POST /api/v1/tokens"
	revokeTokenRoute = "DELETE /api/v1/tokens/{id}"
	webhooksRoute    = "GET /api/v1/webhooks"
	addWebhookRoute  = "POST /api/v1/webhooks"
	dropWebhookRoute = "DELETE /api/v1/webhooks/{id}"
	usersRoute       = "GET /api/v1/users"
	addUserRoute     = "POST /api/v1/users"
	changeUserRoute  = "PATCH /api/v1/users/{id}"
	liaRoute         = "GET /api/v1/purposes/{name}/lia"
	setLIARoute      = "PUT /api/v1/purposes/{name}/lia"
	dkimRoute        = "GET /api/v1/dkim"
	makeDKIMRoute    = "POST /api/v1/dkim"
)

// adminRoutes registers the /api/v1 routes of workspace settings, DKIM keys, API tokens,
// webhooks, users and legitimate-interest assessments (each when its service is set up).
func (s *Server) adminRoutes(api huma.API) {
	if s.cfg.Workspaces != nil {
		tags := []string{"settings"}
		register(s, api, huma.Operation{OperationID: "get-settings", Method: http.MethodGet, Path: "/api/v1/settings",
			Summary: "The workspace's settings with their values (secret ones only say whether they are set)", Tags: tags}, s.getSettings)
		register(s, api, huma.Operation{OperationID: "set-settings", Method: http.MethodPut, Path: "/api/v1/settings",
			Summary: "Change settings: all of them or none (each wrong value is named)", Tags: tags,
			Errors: []int{http.StatusUnprocessableEntity}}, s.setSettings)
	}
	if s.cfg.DKIM != nil {
		tags := []string{"settings"}
		register(s, api, huma.Operation{OperationID: "list-dkim-keys", Method: http.MethodGet, Path: "/api/v1/dkim",
			Summary: "The workspace's DKIM keys with the DNS records to publish", Tags: tags}, s.listDKIM)
		register(s, api, huma.Operation{OperationID: "generate-dkim-key", Method: http.MethodPost, Path: "/api/v1/dkim",
			Summary: "Generate a DKIM key (replacing the one of its algorithm); returns the DNS record", Tags: tags,
			DefaultStatus: http.StatusCreated, Errors: []int{http.StatusUnprocessableEntity}}, s.generateDKIM)
	}
	if s.cfg.TokenAdmin != nil {
		tags := []string{"tokens"}
		register(s, api, huma.Operation{OperationID: "list-tokens", Method: http.MethodGet, Path: "/api/v1/tokens",
			Summary: "The workspace's API tokens (never their secrets)", Tags: tags}, s.listTokens)
		register(s, api, huma.Operation{OperationID: "create-token", Method: http.MethodPost, Path: "/api/v1/tokens",
			Summary: "Create an API token; its secret is in this answer only", Tags: tags, DefaultStatus: http.StatusCreated,
			Errors: []int{http.StatusUnprocessableEntity}}, s.createToken)
		register(s, api, huma.Operation{OperationID: "revoke-token", Method: http.MethodDelete, Path: "/api/v1/tokens/{id}",
			Summary: "Revoke an API token at once", Tags: tags, DefaultStatus: http.StatusNoContent}, s.revokeToken)
	}
	if s.cfg.Webhooks != nil {
		tags := []string{"webhooks"}
		register(s, api, huma.Operation{OperationID: "list-webhooks", Method: http.MethodGet, Path: "/api/v1/webhooks",
			Summary: "The workspace's outgoing webhooks (never their signing secrets)", Tags: tags}, s.listWebhooks)
		register(s, api, huma.Operation{OperationID: "add-webhook", Method: http.MethodPost, Path: "/api/v1/webhooks",
			Summary: "Add a webhook; its signing secret is in this answer only", Tags: tags, DefaultStatus: http.StatusCreated,
			Errors: []int{http.StatusUnprocessableEntity}}, s.addWebhook)
		register(s, api, huma.Operation{OperationID: "disable-webhook", Method: http.MethodDelete, Path: "/api/v1/webhooks/{id}",
			Summary: "Disable a webhook (its delivery log stays)", Tags: tags, DefaultStatus: http.StatusNoContent}, s.disableWebhook)
	}
	if s.cfg.Accounts != nil {
		tags := []string{"users"}
		register(s, api, huma.Operation{OperationID: "list-users", Method: http.MethodGet, Path: "/api/v1/users",
			Summary: "The people with a role in the workspace", Tags: tags}, s.listUsers)
		register(s, api, huma.Operation{OperationID: "add-user", Method: http.MethodPost, Path: "/api/v1/users",
			Summary: "Add a person with a role in the workspace (only an owner gives the owner role)", Tags: tags,
			DefaultStatus: http.StatusCreated, Errors: []int{http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity}}, s.addUser)
		register(s, api, huma.Operation{OperationID: "change-user", Method: http.MethodPatch, Path: "/api/v1/users/{id}",
			Summary: "Change one thing of a person's account: role, disabled or password", Tags: tags,
			Errors: []int{http.StatusForbidden, http.StatusUnprocessableEntity}}, s.changeUser)
	}
	if s.cfg.Consents != nil {
		tags := []string{"purposes"}
		register(s, api, huma.Operation{OperationID: "get-lia", Method: http.MethodGet, Path: "/api/v1/purposes/{name}/lia",
			Summary: "A purpose's legitimate-interest assessment", Tags: tags}, s.getLIA)
		register(s, api, huma.Operation{OperationID: "set-lia", Method: http.MethodPut, Path: "/api/v1/purposes/{name}/lia",
			Summary: "Record (or replace) a purpose's legitimate-interest assessment", Tags: tags,
			Errors: []int{http.StatusUnprocessableEntity}}, s.setLIA)
	}
}

// --- settings ---

// settingOut is one setting: a secret one never shows its value, only whether it is set.
type settingOut struct {
	Name    string `json:"name"`
	Group   string `json:"group,omitempty" doc:"The form of the admin UI's settings page it is in (sender, thresholds, tracking, other); none for secrets."`
	Value   string `json:"value,omitempty"`
	Set     bool   `json:"set"`
	Secret  bool   `json:"secret,omitempty" doc:"Set with clearlist setting set NAME VALUE; its value is never shown."`
	Meaning string `json:"meaning"`
}

type settingsOutput struct {
	Body struct {
		Items []settingOut `json:"items"`
	}
}

type setSettingsInput struct {
	Body struct {
		Group  string            `json:"group,omitempty" enum:"sender,thresholds,tracking,other" doc:"Only the settings of this group may be given (as the settings page's form)."`
		Values map[string]string `json:"values" required:"true" doc:"Setting name → value; an empty value leaves a setting as it is. All are stored or none."`
	}
}

// groupOf is the settings page's group of a setting ("" for secrets).
func groupOf(name string) string {
	for _, g := range settingGroups {
		if slices.Contains(groupNames(g), name) {
			return g.Key
		}
	}
	return ""
}

func (s *Server) getSettings(ctx context.Context, _ *struct{}) (*settingsOutput, error) {
	vs, err := s.cfg.Workspaces.SettingValues(ctx, workspace(ctx))
	if err != nil {
		return nil, err
	}
	out := &settingsOutput{}
	out.Body.Items = []settingOut{}
	for _, v := range vs {
		o := settingOut{Name: v.Name, Group: groupOf(v.Name), Value: v.Value, Set: v.Set, Meaning: v.Meaning}
		if espsettings.Secret(v.Name) {
			o.Value, o.Secret = "", true
		}
		out.Body.Items = append(out.Body.Items, o)
	}
	return out, nil
}

func (s *Server) setSettings(ctx context.Context, in *setSettingsInput) (*settingsOutput, error) {
	values := map[string]string{}
	var details []error
	var allowed []string
	if in.Body.Group != "" {
		i := slices.IndexFunc(settingGroups, func(g settingGroup) bool { return g.Key == in.Body.Group })
		allowed = groupNames(settingGroups[i])
	}
	for n, v := range in.Body.Values {
		if allowed != nil && !slices.Contains(allowed, n) {
			details = append(details, &huma.ErrorDetail{Location: "body.values." + n, Value: v,
				Message: fmt.Sprintf("setting %s is not in the group %s; leave out the group or give the settings of one group", n, in.Body.Group)})
			continue
		}
		values[n] = strings.TrimSpace(v)
	}
	if len(details) == 0 {
		bad, err := s.cfg.Workspaces.SetSettings(ctx, workspace(ctx), values)
		if err != nil {
			return nil, err
		}
		for _, n := range slices.Sorted(maps.Keys(bad)) {
			details = append(details, &huma.ErrorDetail{Location: "body.values." + n, Message: bad[n], Value: in.Body.Values[n]})
		}
	}
	if len(details) > 0 {
		sort.Slice(details, func(i, j int) bool {
			return details[i].(*huma.ErrorDetail).Location < details[j].(*huma.ErrorDetail).Location
		})
		return nil, huma.Error422UnprocessableEntity("some values are not right; nothing was saved (each one says what to give)", details...)
	}
	return s.getSettings(ctx, nil)
}

// --- DKIM keys ---

// dkimKeyOut is a DKIM key with its record, also in zone-file form.
type dkimKeyOut struct {
	campaign.DKIMKeyInfo
	Zone string `json:"zone" doc:"The TXT record in zone-file form, ready to paste."`
}

func dkimOut(k campaign.DKIMKeyInfo) dkimKeyOut {
	return dkimKeyOut{DKIMKeyInfo: k, Zone: txtRecord(k)}
}

type dkimKeysOutput struct {
	Body struct {
		Items []dkimKeyOut `json:"items"`
	}
}

type dkimKeyOutput struct{ Body dkimKeyOut }

type generateDKIMInput struct {
	Body struct {
		Domain    string `json:"domain" minLength:"1" maxLength:"253" doc:"The domain the key signs for (the From address's)."`
		Selector  string `json:"selector" minLength:"1" maxLength:"63" doc:"The selector, e.g. cl2026."`
		Algorithm string `json:"algorithm,omitempty" enum:"rsa,ed25519" doc:"rsa (default) or ed25519."`
	}
}

func (s *Server) listDKIM(ctx context.Context, _ *struct{}) (*dkimKeysOutput, error) {
	keys, err := s.cfg.DKIM.Keys(ctx, workspace(ctx))
	if err != nil {
		return nil, err
	}
	out := &dkimKeysOutput{}
	out.Body.Items = []dkimKeyOut{}
	for _, k := range keys {
		out.Body.Items = append(out.Body.Items, dkimOut(k))
	}
	return out, nil
}

func (s *Server) generateDKIM(ctx context.Context, in *generateDKIMInput) (*dkimKeyOutput, error) {
	k, err := s.cfg.DKIM.Generate(ctx, workspace(ctx), in.Body.Domain, in.Body.Selector, in.Body.Algorithm)
	if errors.Is(err, campaign.ErrInvalid) {
		loc := "body"
		for _, f := range []string{"domain", "selector", "algorithm"} {
			if strings.Contains(err.Error(), "--"+f) {
				loc = "body." + f
			}
		}
		return nil, invalid(loc, strings.NewReplacer("--domain", "domain", "--selector", "selector", "--algorithm", "algorithm").Replace(err.Error()), nil)
	}
	if err != nil {
		return nil, err
	}
	return &dkimKeyOutput{Body: dkimOut(k)}, nil
}

// --- API tokens ---

type tokensOutput struct {
	Body struct {
		Items []access.Token `json:"items"`
	}
}

type createTokenInput struct {
	Body struct {
		Name string `json:"name" maxLength:"200" doc:"What the token is for, e.g. crm-sync."`
		Role string `json:"role" doc:"admin, compliance, marketer or agent: what the token may do (see the route table)."`
	}
}

type createdTokenOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Token  access.Token `json:"token"`
		Secret string       `json:"secret" doc:"The token's secret (clt_…), in this answer only: it is stored as a hash."`
	}
}

type idInput struct {
	ID int64 `path:"id" minimum:"1"`
}

func (s *Server) listTokens(ctx context.Context, _ *struct{}) (*tokensOutput, error) {
	ts, err := s.cfg.TokenAdmin.List(ctx, workspace(ctx))
	if err != nil {
		return nil, err
	}
	out := &tokensOutput{}
	out.Body.Items = ts
	if ts == nil {
		out.Body.Items = []access.Token{}
	}
	return out, nil
}

func (s *Server) createToken(ctx context.Context, in *createTokenInput) (*createdTokenOutput, error) {
	t, secret, err := s.cfg.TokenAdmin.Create(ctx, workspace(ctx), strings.TrimSpace(in.Body.Name), in.Body.Role)
	switch {
	case err != nil && strings.HasPrefix(err.Error(), "role "):
		return nil, invalid("body.role", err.Error(), in.Body.Role)
	case err != nil && strings.HasPrefix(err.Error(), "a token needs a name"):
		return nil, invalid("body.name", err.Error(), in.Body.Name)
	case err != nil:
		return nil, err
	}
	out := &createdTokenOutput{CacheControl: "no-store"}
	out.Body.Token, out.Body.Secret = t, secret
	return out, nil
}

func (s *Server) revokeToken(ctx context.Context, in *idInput) (*struct{}, error) {
	if err := s.cfg.TokenAdmin.Revoke(ctx, workspace(ctx), in.ID); err != nil {
		return nil, notFound(err, "live token %d", in.ID)
	}
	return nil, nil
}

// --- webhooks ---

type webhooksOutput struct {
	Body struct {
		Items []webhook.Webhook `json:"items"`
	}
}

type addWebhookInput struct {
	Body struct {
		URL string `json:"url" minLength:"1" maxLength:"2000" doc:"The absolute http:// or https:// URL that receives the events."`
	}
}

type addedWebhookOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Webhook webhook.Webhook `json:"webhook"`
		Secret  string          `json:"secret" doc:"The signing secret (hex), in this answer only."`
	}
}

func (s *Server) listWebhooks(ctx context.Context, _ *struct{}) (*webhooksOutput, error) {
	hs, err := s.cfg.Webhooks.List(ctx, workspace(ctx))
	if err != nil {
		return nil, err
	}
	out := &webhooksOutput{}
	out.Body.Items = hs
	if hs == nil {
		out.Body.Items = []webhook.Webhook{}
	}
	return out, nil
}

func (s *Server) addWebhook(ctx context.Context, in *addWebhookInput) (*addedWebhookOutput, error) {
	raw := strings.TrimSpace(in.Body.URL)
	h, err := s.cfg.Webhooks.Create(ctx, workspace(ctx), raw)
	if err != nil && strings.HasPrefix(err.Error(), "webhook URL") { // webhook.CheckURL's answer
		return nil, invalid("body.url", err.Error(), raw)
	}
	if err != nil {
		return nil, err
	}
	out := &addedWebhookOutput{CacheControl: "no-store"}
	out.Body.Webhook, out.Body.Secret = h, hex.EncodeToString(h.Secret)
	return out, nil
}

func (s *Server) disableWebhook(ctx context.Context, in *idInput) (*struct{}, error) {
	if err := s.cfg.Webhooks.Disable(ctx, workspace(ctx), in.ID); err != nil {
		return nil, notFound(err, "webhook %d", in.ID)
	}
	return nil, nil
}

// --- users ---

// userOut is a person as the workspace sees them: their role here (not elsewhere).
type userOut struct {
	ID          int64      `json:"id"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Role        string     `json:"role"`
	Disabled    bool       `json:"disabled"`
	TOTP        bool       `json:"totp" doc:"A second factor is enrolled."`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
}

func userOf(u user.User, ws int64) userOut {
	return userOut{ID: u.ID, Email: u.Email, Name: u.Name, Role: roleOf(u, ws), Disabled: u.Disabled, TOTP: u.TOTP,
		CreatedAt: u.CreatedAt, LastLoginAt: u.LastLoginAt}
}

type usersOutput struct {
	Body struct {
		Items []userOut `json:"items"`
	}
}

type userOutput struct{ Body userOut }

type addUserInput struct {
	Body struct {
		Email    string `json:"email" minLength:"3" maxLength:"320"`
		Name     string `json:"name,omitempty" maxLength:"200"`
		Password string `json:"password" doc:"The first password (or passphrase) of the account."`
		Role     string `json:"role" doc:"owner (by an owner only), admin, compliance, marketer, agent or read-only."`
	}
}

type changeUserInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Role     *string `json:"role,omitempty" doc:"A new role in this workspace (nobody changes their own; only an owner gives or takes owner)."`
		Disabled *bool   `json:"disabled,omitempty" doc:"true disables the account and ends its sessions; false enables it."`
		Password *string `json:"password,omitempty" doc:"A new password; the account's sessions end."`
	}
}

// apiManager is the caller as the user service checks their changes of people: the
// signed-in person (with their own role, an owner as owner), or a token with its role
// (never an owner, and no person: owner-only changes are refused to tokens).
func apiManager(ctx context.Context) user.Manager {
	if ss, _ := sessionOf(ctx); ss.Email != "" {
		return user.Manager{Email: ss.Email, Role: ss.Role, WorkspaceID: ss.WorkspaceID}
	}
	tok, _ := ctx.Value(tokenKey{}).(access.Token)
	return user.Manager{Role: tok.Role, WorkspaceID: tok.WorkspaceID}
}

// userError turns the user service's refusals into answers.
func userError(err error, value any) error {
	msg := err.Error()
	switch {
	case errors.Is(err, user.ErrNotManager):
		return huma.Error403Forbidden(msg)
	case errors.Is(err, errs.ErrConflict):
		return huma.Error409Conflict(msg)
	case errors.Is(err, errs.ErrNotFound):
		return huma.Error404NotFound(msg)
	case strings.Contains(msg, "not an e-mail address"):
		return invalid("body.email", msg, value)
	case strings.HasPrefix(msg, "role "):
		return invalid("body.role", msg, value)
	case strings.Contains(msg, "password"), strings.Contains(msg, "passphrase"):
		return invalid("body.password", msg, nil)
	}
	return err
}

func (s *Server) listUsers(ctx context.Context, _ *struct{}) (*usersOutput, error) {
	ws := workspace(ctx)
	us, err := s.cfg.Accounts.Members(ctx, ws)
	if err != nil {
		return nil, err
	}
	out := &usersOutput{}
	out.Body.Items = []userOut{}
	for _, u := range us {
		out.Body.Items = append(out.Body.Items, userOf(u, ws))
	}
	return out, nil
}

func (s *Server) addUser(ctx context.Context, in *addUserInput) (*userOutput, error) {
	b := in.Body
	u, err := s.cfg.Accounts.AddMember(ctx, apiManager(ctx), strings.TrimSpace(b.Email), strings.TrimSpace(b.Name), b.Password, b.Role)
	if err != nil {
		return nil, userError(err, b.Role)
	}
	return &userOutput{Body: userOf(u, workspace(ctx))}, nil
}

func (s *Server) changeUser(ctx context.Context, in *changeUserInput) (*userOutput, error) {
	b := in.Body
	n := 0
	for _, given := range []bool{b.Role != nil, b.Disabled != nil, b.Password != nil} {
		if given {
			n++
		}
	}
	if n != 1 {
		return nil, invalid("body", "give one change: role, disabled or password (each is its own change, audited on its own)", nil)
	}
	ws := workspace(ctx)
	us, err := s.cfg.Accounts.Members(ctx, ws)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(us, func(u user.User) bool { return u.ID == in.ID })
	if i < 0 {
		return nil, huma.Error404NotFound(fmt.Sprintf("user %d has no role in this workspace", in.ID))
	}
	by, email := apiManager(ctx), us[i].Email
	switch {
	case b.Role != nil:
		err = s.cfg.Accounts.ChangeRole(ctx, by, email, *b.Role)
	case b.Disabled != nil:
		err = s.cfg.Accounts.SetMemberDisabled(ctx, by, email, *b.Disabled)
	default:
		err = s.cfg.Accounts.ResetPassword(ctx, by, email, *b.Password)
	}
	if err != nil {
		var v any
		if b.Role != nil {
			v = *b.Role
		}
		return nil, userError(err, v)
	}
	us, err = s.cfg.Accounts.Members(ctx, ws)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		if u.ID == in.ID {
			return &userOutput{Body: userOf(u, ws)}, nil
		}
	}
	return nil, errs.ErrNotFound
}

// --- legitimate-interest assessments ---

type liaNameInput struct {
	Name string `path:"name" minLength:"1" maxLength:"200" doc:"The purpose's name."`
}

type liaOutput struct{ Body consent.LIA }

type setLIAInput struct {
	Name string `path:"name" minLength:"1" maxLength:"200" doc:"The purpose's name."`
	Body struct {
		PurposeText string `json:"purpose_text" maxLength:"20000" doc:"The purpose test: the legitimate interest pursued."`
		Necessity   string `json:"necessity" maxLength:"20000" doc:"The necessity test: why the processing is needed for it."`
		Balancing   string `json:"balancing" maxLength:"20000" doc:"The balancing test: why the person's interests do not override it."`
		ApprovedBy  string `json:"approved_by" maxLength:"320" doc:"Who approved the assessment."`
	}
}

func (s *Server) getLIA(ctx context.Context, in *liaNameInput) (*liaOutput, error) {
	ls, err := s.cfg.Consents.LIAs(ctx, workspace(ctx))
	if err != nil {
		return nil, err
	}
	for _, l := range ls {
		if l.Purpose == in.Name {
			return &liaOutput{Body: l}, nil
		}
	}
	return nil, huma.Error404NotFound(fmt.Sprintf("purpose %s has no legitimate-interest assessment in this workspace", in.Name))
}

func (s *Server) setLIA(ctx context.Context, in *setLIAInput) (*liaOutput, error) {
	b := in.Body
	l, err := s.cfg.Consents.SetLIA(ctx, consent.LIA{WorkspaceID: workspace(ctx), Purpose: in.Name, PurposeText: strings.TrimSpace(b.PurposeText),
		Necessity: strings.TrimSpace(b.Necessity), Balancing: strings.TrimSpace(b.Balancing), ApprovedBy: strings.TrimSpace(b.ApprovedBy)})
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	switch {
	case err == nil:
		return &liaOutput{Body: l}, nil
	case errors.Is(err, consent.ErrInvalidLI):
		loc := "body.approved_by"
		for f, n := range map[string]string{"purpose text": "purpose_text", "necessity": "necessity", "balancing": "balancing"} {
			if strings.Contains(msg, f) {
				loc = "body." + n
			}
		}
		return nil, invalid(loc, msg, nil)
	case errors.Is(err, consent.ErrInvalid):
		return nil, huma.Error404NotFound(msg)
	}
	return nil, err
}

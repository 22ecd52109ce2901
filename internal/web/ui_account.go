package web

import (
	"errors"
	"image/color"
	"net/http"
	"strconv"
	"strings"

	"github.com/boombuler/barcode/qr"

	"github.com/clearlist/clearlist/internal/user"
)

// accountData is the signed-in user's own page: second factor and workspaces.
type accountData struct {
	Nav          uiNav
	TOTP         bool
	RecoveryLeft int
	Workspaces   []user.Membership
	Current      int64
	WorkspaceErr string
}

func (s *Server) uiAccount(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateSelf(w, r) {
		return
	}
	s.renderAccount(w, r, http.StatusOK, "")
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, wsErr string) {
	ss, _ := sessionOf(r.Context())
	ms, err := s.cfg.Accounts.Memberships(r.Context(), ss.Email)
	if err != nil {
		s.uiFail(w, r, "account", "account", err)
		return
	}
	d := accountData{Nav: s.nav(r, "account"), Workspaces: ms, Current: ss.WorkspaceID, WorkspaceErr: wsErr}
	us, err := s.cfg.Accounts.Members(r.Context(), ss.WorkspaceID)
	if err != nil {
		s.uiFail(w, r, "account", "account", err)
		return
	}
	for _, u := range us {
		if u.ID == ss.UserID {
			d.TOTP = u.TOTP
		}
	}
	if d.TOTP {
		if d.RecoveryLeft, err = s.cfg.Accounts.RecoveryCodesLeft(r.Context(), ss.UserID); err != nil {
			s.uiFail(w, r, "account", "recovery codes", err)
			return
		}
	}
	s.renderUI(w, r, status, accountPage(d))
}

// totpData is the TOTP set-up page: a fresh key (as a QR code, its otpauth URI and its
// secret) and the code check; after it, the recovery codes, shown once.
type totpData struct {
	Nav             uiNav
	Secret, URI, QR string
	CodeError       string
	Recovery        []string
}

func (s *Server) uiTOTP(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateSelf(w, r) {
		return
	}
	ss, _ := sessionOf(r.Context())
	key, err := user.NewTOTP(ss.Email)
	if err != nil {
		s.uiFail(w, r, "account", "TOTP key", err)
		return
	}
	// The key is not stored until a code from the app proves the app holds it; until then it
	// travels in the form (the page is the user's own, behind the session and its form token).
	noStore(w)
	s.renderTOTP(w, r, http.StatusOK, totpData{Secret: key.Secret(), URI: key.URL()})
}

func (s *Server) renderTOTP(w http.ResponseWriter, r *http.Request, status int, d totpData) {
	d.Nav = s.nav(r, "account")
	if d.URI != "" {
		svg, err := qrSVG(d.URI)
		if err != nil {
			s.uiFail(w, r, "account", "QR code", err)
			return
		}
		d.QR = svg
	}
	s.renderUI(w, r, status, totpPage(d))
}

func (s *Server) uiEnableTOTP(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateSelf(w, r) {
		return
	}
	ss, _ := sessionOf(r.Context())
	secret := strings.TrimSpace(r.PostForm.Get("secret"))
	codes, err := s.cfg.Accounts.EnableTOTP(r.Context(), ss.Email, secret, r.PostForm.Get("code"))
	noStore(w)
	if err != nil && strings.HasPrefix(err.Error(), "the code does not match") {
		key, kerr := user.TOTPKey(ss.Email, secret)
		if kerr != nil {
			s.uiError(w, r, "account", http.StatusBadRequest, "That set-up form is out of date; start the set-up again from your account page.")
			return
		}
		s.renderTOTP(w, r, http.StatusBadRequest, totpData{Secret: secret, URI: key, CodeError: err.Error()})
		return
	}
	if err != nil {
		s.uiFail(w, r, "account", "account", err)
		return
	}
	s.renderTOTP(w, r, http.StatusOK, totpData{Recovery: codes})
}

func (s *Server) uiSwitchWorkspace(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateSelf(w, r) {
		return
	}
	_, id := sessionOf(r.Context())
	_, err := s.cfg.Accounts.SwitchWorkspace(r.Context(), id, r.PostForm.Get("workspace"))
	if errors.Is(err, user.ErrNoRole) {
		s.renderAccount(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if err != nil {
		s.uiFail(w, r, "account", "workspace", err)
		return
	}
	uiDone(w, r, uiPrefix)
}

// qrSVG draws text as a QR code in SVG (one path of dark modules, with a quiet zone), for an
// authenticator app to scan; it holds no text, so nothing in it needs escaping.
func qrSVG(text string) (string, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", err
	}
	b := code.Bounds()
	n := b.Dx()
	var p strings.Builder
	for y := range b.Dy() {
		for x := range n {
			if isDark(code.At(b.Min.X+x, b.Min.Y+y)) {
				p.WriteString("M" + strconv.Itoa(x+4) + " " + strconv.Itoa(y+4) + "h1v1h-1z")
			}
		}
	}
	size := strconv.Itoa(n + 8)
	return `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 ` + size + ` ` + size + `" width="220" height="220" role="img" aria-label="QR code of the key for the authenticator app" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="` + p.String() + `"/></svg>`, nil
}

// isDark reports whether a module's colour is dark.
func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}

// uiGateSelf opens a person's own account pages to every signed-in user, read-only too: they
// change only the person's own sign-in and session.
func (s *Server) uiGateSelf(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.Accounts == nil {
		s.uiError(w, r, "account", http.StatusNotFound, "This part of clearlist is not set up on this server.")
		return false
	}
	return s.uiReadForm(w, r, "account")
}

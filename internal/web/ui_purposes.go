package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/errs"
)

// purposesData is the purposes page: each purpose with its legitimate-interest assessment
// (for compliance), the form to declare a purpose and the form to write an assessment.
type purposesData struct {
	Nav      uiNav
	Purposes []consent.Purpose
	LIAs     map[string]consent.LIA
	ShowLIAs bool // the role may read and write assessments
	MayAdd   bool // the role may declare a purpose (POST /api/v1/purposes)
	Add      purposeForm
	LIA      liaForm
	Saved    string
}

// purposeForm is the declare-a-purpose form with what was typed and its errors.
type purposeForm struct {
	consent.Purpose
	NameError, Error string
}

// liaForm is the assessment form: the three tests and who approved it.
type liaForm struct {
	consent.LIA
	PurposeError, PurposeTextError, NecessityError, BalancingError, ApprovedByError string
}

func (s *Server) uiPurposes(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiPurposesRoute, "purposes", s.cfg.Consents != nil) {
		return
	}
	ss, _ := sessionOf(r.Context())
	s.renderPurposes(w, r, http.StatusOK, purposesData{Saved: r.URL.Query().Get("saved"),
		LIA: liaForm{LIA: consent.LIA{ApprovedBy: ss.Email}}})
}

func (s *Server) renderPurposes(w http.ResponseWriter, r *http.Request, status int, d purposesData) {
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	ps, err := s.cfg.Consents.Purposes(ctx, ws)
	if err != nil {
		s.uiFail(w, r, "purposes", "purposes", err)
		return
	}
	d.Nav, d.Purposes = s.nav(r, "purposes"), ps
	d.MayAdd = s.may(r, uiAddPurposeRoute)
	d.ShowLIAs = s.may(r, liaRoute) && s.may(r, setLIARoute)
	if d.ShowLIAs {
		ls, err := s.cfg.Consents.LIAs(ctx, ws)
		if err != nil {
			s.uiFail(w, r, "purposes", "legitimate-interest assessments", err)
			return
		}
		d.LIAs = map[string]consent.LIA{}
		for _, l := range ls {
			d.LIAs[l.Purpose] = l
		}
	}
	s.renderUI(w, r, status, purposesPage(d))
}

func (s *Server) uiAddPurpose(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiPurposesRoute, "purposes", s.cfg.Consents != nil) || !s.uiReadForm(w, r, "purposes") {
		return
	}
	ss, _ := sessionOf(r.Context())
	if !s.may(r, uiAddPurposeRoute) {
		s.uiError(w, r, "purposes", http.StatusForbidden, "Your role ("+ss.Role+") may not declare purposes; ask an admin, compliance or a marketer.")
		return
	}
	f := r.PostForm
	p := consent.Purpose{Name: strings.TrimSpace(f.Get("name")), Description: strings.TrimSpace(f.Get("description")),
		Marketing: f.Get("marketing") == "on", SimilarProducts: f.Get("similar_products") == "on", Essential: f.Get("essential") == "on"}
	err := s.cfg.Consents.AddPurpose(r.Context(), ss.WorkspaceID, p)
	if err == nil {
		uiDone(w, r, "/ui/purposes?saved="+p.Name)
		return
	}
	d := purposesData{Add: purposeForm{Purpose: p}, LIA: liaForm{LIA: consent.LIA{ApprovedBy: ss.Email}}}
	switch {
	case errors.Is(err, errs.ErrConflict):
		d.Add.NameError = "There is already a purpose " + p.Name + "; choose another name."
	case errors.Is(err, consent.ErrInvalid) && strings.Contains(err.Error(), "description"):
		d.Add.Error = err.Error()
	case errors.Is(err, consent.ErrInvalid) && (strings.Contains(err.Error(), "similar") || strings.Contains(err.Error(), "essential")):
		d.Add.Error = err.Error()
	case errors.Is(err, consent.ErrInvalid):
		d.Add.NameError = err.Error()
	default:
		s.uiFail(w, r, "purposes", "purpose", err)
		return
	}
	s.renderPurposes(w, r, http.StatusBadRequest, d)
}

func (s *Server) uiSetLIA(w http.ResponseWriter, r *http.Request) {
	if !s.uiGateAdmin(w, r, setLIARoute, "purposes", s.cfg.Consents != nil) {
		return
	}
	ss, _ := sessionOf(r.Context())
	f := r.PostForm
	l := consent.LIA{WorkspaceID: ss.WorkspaceID, Purpose: f.Get("purpose"), PurposeText: strings.TrimSpace(f.Get("purpose_text")),
		Necessity: strings.TrimSpace(f.Get("necessity")), Balancing: strings.TrimSpace(f.Get("balancing")),
		ApprovedBy: strings.TrimSpace(f.Get("approved_by"))}
	_, err := s.cfg.Consents.SetLIA(r.Context(), l)
	if err == nil {
		uiDone(w, r, "/ui/purposes?saved="+l.Purpose+"#lia-"+l.Purpose)
		return
	}
	d := purposesData{LIA: liaForm{LIA: l}}
	msg := err.Error()
	switch {
	case errors.Is(err, consent.ErrInvalidLI) && strings.Contains(msg, "purpose text"):
		d.LIA.PurposeTextError = msg
	case errors.Is(err, consent.ErrInvalidLI) && strings.Contains(msg, "necessity"):
		d.LIA.NecessityError = msg
	case errors.Is(err, consent.ErrInvalidLI) && strings.Contains(msg, "balancing"):
		d.LIA.BalancingError = msg
	case errors.Is(err, consent.ErrInvalidLI):
		d.LIA.ApprovedByError = msg
	case errors.Is(err, consent.ErrInvalid):
		d.LIA.PurposeError = msg
	default:
		s.uiFail(w, r, "purposes", "assessment", err)
		return
	}
	s.renderPurposes(w, r, http.StatusBadRequest, d)
}

// purposeKind says what kind of purpose it is, in words.
func purposeKind(marketing, similar, essential bool) string {
	switch {
	case marketing && similar:
		return "marketing (similar products: soft opt-in)"
	case marketing:
		return "marketing"
	case essential:
		return "service (essential)"
	}
	return "service"
}

package web

import (
	"net/http"
	"slices"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// apiPrefix is the path under which every route needs a bearer token.
const apiPrefix = "/api/v1/"

// routes is the one place that lists every route group of the server.
func (s *Server) routes(rt *router) {
	rt.HandleFunc("GET /healthz", s.health)
	rt.Handle("GET /metrics", s.metricsHandler())
	api := s.newAPI(rt)
	if s.cfg.Contacts != nil {
		s.contactRoutes(api)
		s.listRoutes(api)
		s.sourceRoutes(api)
	}
	s.importRoutes(api, rt)
	s.eligibilityRoutes(api)
	if s.cfg.Consents != nil {
		s.consentRoutes(api)
	}
	s.suppressionRoutes(api)
	s.verifyRoutes(api)
	s.auditRoutes(api)
	s.jobRoutes(api)
	if s.cfg.Campaigns != nil {
		s.campaignRoutes(api)
	}
	if s.cfg.Reports != nil {
		s.reportRoutes(api)
	}
	if s.cfg.Transactional != nil {
		s.transactionalRoutes(api)
	}
	if s.cfg.Bounces != nil {
		s.bounceRoutes(api)
	}
	s.formRoutes(api)
	s.adminRoutes(api)
	s.adminLogRoutes(api)
	s.publicRoutes(rt)
	s.stopRoutes(rt)
	s.unsubRoutes(rt)
	s.trackRoutes(rt)
	s.hookRoutes(rt)
	s.uiRoutes(rt)
}

// newAPI sets up huma on the router, with the OpenAPI document at /api/openapi.json.
func (s *Server) newAPI(rt *router) huma.API {
	cfg := huma.DefaultConfig("clearlist API", "1")
	cfg.CreateHooks = nil // no $schema links added to response bodies
	cfg.DocsPath = ""     // the docs page loads scripts from a CDN; a self-hosted server should not
	cfg.SchemasPath = ""
	cfg.OpenAPIPath = "/api/openapi"
	cfg.Info.Description = "Consent-first contact lists. Every /api/v1 call needs an API token: " +
		"create one with `clearlist token create NAME --role ROLE` and send it as `Authorization: Bearer clt_…`."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		securityScheme: {Type: "http", Scheme: "bearer", Description: "An API token (clt_…) from `clearlist token create NAME --role ROLE`; it scopes every call to its workspace."},
	}
	return humago.New(rt, cfg)
}

// securityScheme names the bearer scheme in the OpenAPI document.
const securityScheme = "bearer"

// bearer is the security requirement of every /api/v1 operation.
var bearer = []map[string][]string{{securityScheme: {}}}

// router registers handlers on the mux and puts bearer authentication in front of every
// route under /api/v1/, so that no API route can be added without it.
type router struct {
	mux *http.ServeMux
	s   *Server
}

// HandleFunc registers h for pattern (huma's adapter calls it for each operation).
func (rt *router) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	rt.Handle(pattern, http.HandlerFunc(h))
}

// Handle registers h for pattern; an /api/v1 route gets authentication and the roles of
// its entry in routeRoles (a route without one panics: it must not be served by accident).
func (rt *router) Handle(pattern string, h http.Handler) {
	rt.s.patterns = append(rt.s.patterns, pattern)
	if isAPI(pattern) {
		roles := rolesFor(pattern)
		h = rt.s.authenticate(roles, h)
		rt.s.registered(Route{Pattern: pattern, Roles: roles})
	} else {
		h = rt.s.withPublicActor(h)
	}
	rt.mux.Handle(pattern, recordRoute(h))
}

// Patterns returns every route pattern this server registered ("METHOD /path"): the API,
// the public pages, health and metrics — for tests that must cover every route.
func (s *Server) Patterns() []string { return slices.Sorted(slices.Values(s.patterns)) }

// ServeHTTP dispatches to the mux.
func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

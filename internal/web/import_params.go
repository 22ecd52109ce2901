package web

import (
	"fmt"
	"mime"
	"net/url"
	"strconv"
	"strings"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports/formats"
)

// importParams turns the upload's query parameters (or form fields) into an import request.
// It fills everything but the file's path.
func (s *Server) importParams(v url.Values, contentType string) (contact.ImportRequest, error) {
	req := contact.ImportRequest{
		FileName:      strings.TrimSpace(v.Get("file_name")),
		List:          strings.TrimSpace(v.Get("list")),
		DefaultRegion: s.cfg.DefaultRegion,
	}
	typ := strings.TrimSpace(v.Get("source_type"))
	if typ == "" {
		return req, paramError("source_type", "source_type is required: say how these contacts were obtained (GET /api/v1/source-types lists the types)")
	}
	typ, err := contact.CanonicalSourceType(typ)
	if err != nil {
		return req, paramError("source_type", err.Error())
	}
	req.Source = contact.Source{Type: typ, Description: strings.TrimSpace(v.Get("source_note"))}
	req.ConsentPurpose = strings.TrimSpace(v.Get("consent_purpose"))
	if raw := strings.TrimSpace(v.Get("from")); raw != "" {
		f, err := formats.ParseFormat(raw)
		if err != nil {
			return req, paramError("from", strings.Replace(err.Error(), "--from ", "from=", 1))
		}
		req.From = string(f)
	}
	req.ListStatus = strings.TrimSpace(v.Get("list_status"))
	if req.ListStatus != "" && req.From != string(formats.Listmonk) {
		return req, paramError("list_status", "list_status is for a listmonk export: give it with from=listmonk, or leave it out")
	}
	if raw := strings.TrimSpace(v.Get("default_region")); raw != "" {
		if req.DefaultRegion, err = contact.CheckRegion(raw); err != nil {
			return req, paramError("default_region", err.Error())
		}
	}
	if err := contactFieldParams(v, &req); err != nil {
		return req, err
	}
	if req.Source.Evidence, err = evidenceParam(v["evidence"]); err != nil {
		return req, err
	}

	if req.OnConflict, err = contact.ParseConflict(v.Get("on_conflict")); err != nil {
		return req, paramError("on_conflict", err.Error())
	}
	if req.DropUndeclared, err = boolParam(v, "drop_undeclared"); err != nil {
		return req, err
	}
	if req.DryRun, err = boolParam(v, "dry_run"); err != nil {
		return req, err
	}
	if req.Verify, err = boolParam(v, "verify"); err != nil {
		return req, err
	}
	if req.Map, err = mappingParam(v["map"]); err != nil {
		return req, err
	}
	req.Read.Encoding = strings.TrimSpace(v.Get("encoding"))
	if req.Read.Delimiter, err = delimiterParam(v.Get("delimiter")); err != nil {
		return req, err
	}
	if req.Read.Format, err = formatParam(v.Get("format"), contentType); err != nil {
		return req, err
	}
	return req, nil
}

// contactFieldParams reads country and contact_kind, the defaults of rows that give none.
func contactFieldParams(v url.Values, req *contact.ImportRequest) error {
	var err error
	if req.DefaultCountry, err = contact.ParseCountry(v.Get("country")); err != nil {
		return paramError("country", err.Error())
	}
	kind, err := contact.ParseKind(v.Get("contact_kind"))
	if err != nil {
		return paramError("contact_kind", err.Error())
	}
	req.DefaultKind = string(kind)
	return nil
}

// paramError is a 422 about one import parameter.
func paramError(name, msg string) error { return invalid("query."+name, msg, nil) }

func boolParam(v url.Values, name string) (bool, error) {
	raw := v.Get(name)
	if raw == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return false, paramError(name, fmt.Sprintf("%s=%q: use true or false", name, raw))
	}
	return b, nil
}

// mappingParam reads repeated map=COLUMN=TARGET parameters.
func mappingParam(pairs []string) (contact.Mapping, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	m := contact.Mapping{}
	for _, p := range pairs {
		col, target, ok := strings.Cut(p, "=")
		col, target = strings.TrimSpace(col), strings.TrimSpace(target)
		if !ok || col == "" || target == "" {
			return nil, paramError("map", fmt.Sprintf("map=%q: write it as COLUMN=TARGET, e.g. map=E-Mail=email or map=Notes=- to ignore a column", p))
		}
		m[col] = target
	}
	return m, nil
}

// evidenceParam reads repeated evidence=KEY=VALUE parameters and checks the keys.
func evidenceParam(pairs []string) (map[string]string, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	ev := map[string]string{}
	for _, p := range pairs {
		k, val, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, paramError("evidence", fmt.Sprintf("evidence=%.60q: write it as KEY=VALUE, e.g. evidence=double_opt_in=yes", p))
		}
		ev[k] = val
	}
	ev, err := contact.CheckEvidence(ev)
	if err != nil {
		return nil, paramError("evidence", err.Error())
	}
	return ev, nil
}

// delimiterParam reads a CSV delimiter: one of , ; | or a tab ("tab" or "\t").
func delimiterParam(raw string) (rune, error) {
	switch raw {
	case "":
		return 0, nil
	case ",", ";", "|", "\t":
		return rune(raw[0]), nil
	case "tab", `\t`:
		return '\t', nil
	}
	return 0, paramError("delimiter", fmt.Sprintf("delimiter %q cannot be used: use , ; | or tab (or leave it out to detect)", raw))
}

// formatParam reads the file format, falling back on the Content-Type of a raw upload.
func formatParam(raw, contentType string) (contact.Format, error) {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "csv":
		return contact.FormatCSV, nil
	case "jsonl", "ndjson":
		return contact.FormatJSONL, nil
	case "", "auto":
	default:
		return "", paramError("format", fmt.Sprintf("format %q is unknown: use csv or jsonl (or leave it out to detect)", raw))
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "text/csv":
		return contact.FormatCSV, nil
	case "application/x-ndjson", "application/jsonl":
		return contact.FormatJSONL, nil
	}
	return contact.FormatAuto, nil
}

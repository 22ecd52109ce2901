package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"slices"
	"strings"
	"time"
)

// tokenPrefix marks clearlist API tokens so that secret scanners and people recognise them.
const tokenPrefix = "clt_"

// Token is an API token's public record (see access.Token).
type Token = access.Token

// The roles a token can have (see package access).
const (
	RoleAdmin      = access.RoleAdmin
	RoleCompliance = access.RoleCompliance
	RoleMarketer   = access.RoleMarketer
	RoleAgent      = access.RoleAgent
)

// Roles lists the valid roles.
var Roles = access.Roles

// MayOverrulePerson reports whether role may lift what a person asked for (access.MayOverrulePerson).
func MayOverrulePerson(role string) bool { return access.MayOverrulePerson(role) }

// SeesEvidence reports whether role may read the evidence kept with a request (access.SeesEvidence).
func SeesEvidence(role string) bool { return access.SeesEvidence(role) }

// CreateToken makes a new admin API token for the workspace and returns it with its secret.
func (s *Store) CreateToken(ctx context.Context, ws int64, name string) (Token, string, error) {
	return s.CreateTokenWithRole(ctx, ws, name, RoleAdmin)
}

// CreateTokenWithRole makes a new API token with one of Roles.
func (s *Store) CreateTokenWithRole(ctx context.Context, ws int64, name, role string) (Token, string, error) {
	if !slices.Contains(Roles, role) {
		return Token{}, "", fmt.Errorf("role %q: use one of %s", role, strings.Join(Roles, ", "))
	}
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Token{}, "", err
	}
	secret := tokenPrefix + hex.EncodeToString(raw[:])
	t := Token{WorkspaceID: ws, Name: name, Prefix: secret[:len(tokenPrefix)+6], Role: role, CreatedAt: now()}
	h := sha256.Sum256([]byte(secret))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		t.ID, err = s.insertID(ctx, tx, `INSERT INTO api_tokens (workspace_id, name, prefix, token_hash, created_at, role) VALUES (?, ?, ?, ?, ?, ?)`,
			ws, name, t.Prefix, h[:], t.CreatedAt, role)
		if err != nil {
			return err
		}
		return s.auditTx(ctx, tx, ws, "token.create", "token", t.ID, audit.Set("name", name), audit.Set("role", role),
			audit.Set("prefix", t.Prefix))
	})
	if err != nil {
		return Token{}, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, nil
}

// Authenticate returns the live token that matches secret, or ErrNotFound.
func (s *Store) Authenticate(ctx context.Context, secret string) (Token, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return Token{}, ErrNotFound
	}
	h := sha256.Sum256([]byte(secret))
	var t Token
	var last, revoked nullTime
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, workspace_id, name, prefix, role, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE token_hash = ?`), h[:]).
		Scan(&t.ID, &t.WorkspaceID, &t.Name, &t.Prefix, &t.Role, &t.CreatedAt, &last, &revoked)
	if err != nil {
		return Token{}, mapErr(err)
	}
	t.LastUsedAt, t.RevokedAt = last.ptr(), revoked.ptr()
	if t.RevokedAt != nil {
		return Token{}, ErrNotFound
	}
	return t, nil
}

// TouchToken records that a token was used (at most once a minute, to spare writes).
func (s *Store) TouchToken(ctx context.Context, t Token) error {
	n := now()
	if t.LastUsedAt != nil && n.Sub(*t.LastUsedAt) < time.Minute {
		return nil
	}
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), n, t.ID)
	return err
}

// Tokens lists the workspace's tokens (never their secrets).
func (s *Store) Tokens(ctx context.Context, ws int64) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, workspace_id, name, prefix, role, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE workspace_id = ? ORDER BY id`), ws)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var last, revoked nullTime
		if err := rows.Scan(&t.ID, &t.WorkspaceID, &t.Name, &t.Prefix, &t.Role, &t.CreatedAt, &last, &revoked); err != nil {
			return nil, err
		}
		t.LastUsedAt, t.RevokedAt = last.ptr(), revoked.ptr()
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken disables a token at once.
func (s *Store) RevokeToken(ctx context.Context, ws, id int64) error {
	return s.execAudited(ctx, ws, fmt.Sprintf("token %d", id), "token.revoke", "token", id,
		`UPDATE api_tokens SET revoked_at = ? WHERE workspace_id = ? AND id = ? AND revoked_at IS NULL`, []any{now(), ws, id})
}

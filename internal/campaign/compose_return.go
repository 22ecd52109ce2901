package campaign

import (
	"context"
	"fmt"

	"github.com/clearlist/clearlist/internal/deliver"
)

// TransactionalReturnPath is the VERP return path of transactional message id sent from
// the address from: campaign 0 marks a transactional message and the contact slot holds its
// id, so its bounces come back to the workspace's bounce domain and are matched to it.
func (k *Composer) TransactionalReturnPath(ctx context.Context, ws, id int64, from string) (string, error) {
	domain, err := k.setting(ctx, ws, SettingBounceDomain)
	if err != nil {
		return "", err
	}
	key, err := k.Keys.SigningKey(ctx, ws, VERPKeyName)
	if err != nil {
		return "", fmt.Errorf("VERP key: %w", err)
	}
	return deliver.VERPAddress(key, cmpOrStr(domain, domainOf(from)), ws, 0, id), nil
}

// TransactionalRenderer renders transactional messages as BasicRenderer does (they carry no
// campaign footer) and gives them the Composer's VERP return path, so that their bounces
// count (transactional.Service).
type TransactionalRenderer struct {
	*BasicRenderer
	Composer *Composer
}

// TransactionalReturnPath is the Composer's VERP return path of transactional message id.
func (r TransactionalRenderer) TransactionalReturnPath(ctx context.Context, ws, id int64, from string) (string, error) {
	return r.Composer.TransactionalReturnPath(ctx, ws, id, from)
}

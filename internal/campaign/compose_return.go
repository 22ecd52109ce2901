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

// TransactionalSigner is the DKIM signer of a transactional message sent from the address
// from: the workspace's keys aligned with its domain, as a campaign's; nil when the
// workspace has none (or the composer no key service).
func (k *Composer) TransactionalSigner(ctx context.Context, ws int64, from string) (*deliver.Signer, error) {
	if k.DKIM == nil {
		return nil, nil
	}
	s, _, err := k.DKIM.Signer(ctx, ws, domainOf(from))
	if err != nil {
		return nil, fmt.Errorf("DKIM key: %w", err)
	}
	return s, nil
}

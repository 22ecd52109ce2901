package app

import (
	"context"
	"iter"

	"github.com/clearlist/clearlist/internal/verify"
)

// VerifyOffline checks addresses without a database and without the network (syntax, the
// built-in disposable/role/free lists, typos), calling each in input order; for
// `verify --offline` where no database exists, so that checking creates none.
func VerifyOffline(ctx context.Context, addrs iter.Seq[string], workers int, each func(verify.Result)) error {
	verify.New(verify.Options{}).CheckManyOrdered(ctx, addrs, workers, each)
	return ctx.Err()
}

// Package bench holds the benchmarks of `clearlist bench`: it generates data, seeds a fresh
// workspace, starts the real server next to a bare net/http baseline and describes the
// targets for the load generator (internal/loadgen). Like cmd/clearlist it is a front, not a
// domain package: its functions take the opened *app.App and reach the database through its
// services; only seeding writes straight to the store, through the narrow Seeder (seed.go).
package bench

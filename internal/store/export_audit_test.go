package store

// SetAuditOff turns the audit entry off (or on again), for benchmarks that measure its cost.
func SetAuditOff(s *Store, off bool) { s.auditOff = off }

package access

import "testing"

// TestAllowsMapsUserRoles: an owner may do what an admin may, read-only only reads what staff
// read, and the token roles keep their meaning.
func TestAllowsMapsUserRoles(t *testing.T) {
	staff := []string{RoleAdmin, RoleCompliance, RoleMarketer}
	compliance := []string{RoleAdmin, RoleCompliance}
	everyone := []string{RoleAdmin, RoleCompliance, RoleMarketer, RoleAgent}
	tests := []struct {
		allowed      []string
		role, method string
		want         bool
	}{
		{compliance, RoleOwner, "POST", true},
		{compliance, RoleAdmin, "POST", true},
		{compliance, RoleMarketer, "GET", false},
		{staff, RoleReadOnly, "GET", true},
		{everyone, RoleReadOnly, "GET", true},
		{staff, RoleReadOnly, "POST", false},
		{staff, RoleReadOnly, "DELETE", false},
		{compliance, RoleReadOnly, "GET", false}, // the audit trail is not staff's
		{staff, RoleAgent, "GET", false},
		{everyone, RoleAgent, "POST", true},
		{staff, "root", "GET", false},
	}
	for _, tc := range tests {
		if got := Allows(tc.allowed, tc.role, tc.method); got != tc.want {
			t.Errorf("Allows(%v, %s, %s) = %v, want %v", tc.allowed, tc.role, tc.method, got, tc.want)
		}
	}
	if !MayOverrulePerson(RoleOwner) || !SeesEvidence(RoleOwner) || MayOverrulePerson(RoleReadOnly) || SeesEvidence(RoleReadOnly) {
		t.Error("owner must have the admin's rights; read-only none")
	}
}

package workspace_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce/espsettings"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/workspace"
)

// TestSecretSettings: a provider's signing key set as a workspace setting reads back for the
// webhook check, is listed as set without its value, and its audit entry does not hold it;
// the plain webhook settings are checked and stored as ever.
func TestSecretSettings(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		svc := workspace.New(st)
		w, err := svc.Create(ctx, "hooks")
		if err != nil {
			t.Fatal(err)
		}
		const key = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
		if _, ok, err := svc.SecretSetting(ctx, w.ID, espsettings.SettingMailgunKey); ok || err != nil {
			t.Fatalf("an unset secret reads as set: %v %v", ok, err)
		}
		if err := svc.SetSetting(ctx, w.ID, espsettings.SettingMailgunKey, " "+key+" "); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetSetting(ctx, w.ID, espsettings.SettingPostmarkPassword, "has space"); err == nil {
			t.Fatal("a password with a space was taken")
		}
		if err := svc.SetSetting(ctx, w.ID, espsettings.SettingSESTopicARN, "arn:aws:sns:eu-west-1:123456789012:ses-events"); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetSetting(ctx, w.ID, espsettings.SettingSESTopicARN, "arn:aws:s3:::bucket"); err == nil {
			t.Fatal("an S3 ARN was taken as a topic")
		}
		got, ok, err := svc.SecretSetting(ctx, w.ID, espsettings.SettingMailgunKey)
		if err != nil || !ok || got != key {
			t.Fatalf("secret reads back %q %v %v", got, ok, err)
		}
		if v, ok, _ := svc.Setting(ctx, w.ID, espsettings.SettingMailgunKey); ok || v != "" {
			t.Fatalf("the secret is among the plain settings: %q", v)
		}
		vals, err := svc.SettingValues(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		seen := false
		for _, v := range vals {
			if strings.Contains(v.Value, key) {
				t.Fatalf("setting ls shows the secret: %+v", v)
			}
			if v.Name == espsettings.SettingMailgunKey {
				seen = v.Set
			}
		}
		if !seen {
			t.Fatal("the secret is not listed as set")
		}
		es, err := st.AuditEntries(ctx, w.ID, audit.Filter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(es)
		if strings.Contains(string(b), key) || !strings.Contains(string(b), espsettings.SettingMailgunKey) {
			t.Fatalf("audit trail holds the secret or does not name the setting: %s", b)
		}
	})
}

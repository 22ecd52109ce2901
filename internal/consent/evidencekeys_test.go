package consent

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEvidenceKeys(t *testing.T) {
	var ev Evidence
	for k, v := range map[string]string{"wording": "Yes", "document_ref": "binder 4", "IP": "192.0.2.1",
		"timestamp": "2026-03-01T09:30:00Z", "prechecked": "true", "collector": "desk", "form_id": "f",
		"form_version": "2", "user_agent": "ua"} {
		if err := SetEvidence(&ev, k, v); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
	}
	if ev.Wording != "Yes" || ev.DocumentRef != "binder 4" || ev.IP != "192.0.2.1" || !ev.Prechecked ||
		!ev.Timestamp.Equal(time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("evidence: %+v", ev)
	}
	for k, says := range map[string]string{"mood": "use one of collector, document_ref", "written_permission": "belongs to the contact's source"} {
		if err := SetEvidence(&ev, k, "x"); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: %v", k, err)
		}
		if err := CheckEvidenceKeys([]string{"wording", k}); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("check %s: %v", k, err)
		}
	}
	if err := SetEvidence(&ev, "prechecked", "maybe"); err == nil || !strings.Contains(err.Error(), "give true or false") {
		t.Errorf("prechecked maybe: %v", err)
	}
	if err := CheckEvidenceKeys(nil); err != nil {
		t.Error(err)
	}
}

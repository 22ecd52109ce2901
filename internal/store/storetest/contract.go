package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// Run is the contract suite: every engine must pass all of it.
func Run(t *testing.T, open func(t testing.TB) *store.Store) {
	tests := map[string]func(t *testing.T, st *store.Store){
		"Workspaces":        testWorkspaces,
		"WorkspaceAdmin":    testWorkspaceAdmin,
		"Attributes":        testAttributes,
		"Sources":           testSources,
		"Lists":             testLists,
		"Contacts":          testContacts,
		"ContactPaging":     testContactPaging,
		"BatchWrite":        testBatchWrite,
		"ContactFields":     testContactFields,
		"BatchIsolation":    testBatchIsolation,
		"Cascades":          testCascades,
		"IDsNeverReused":    testIDsNeverReused,
		"ConcurrentImports": testConcurrentImports,
		"ImportProgress":    testImportProgress,
		"ImportClaim":       testImportClaim,
		"ProcessClaim":      testProcessClaim,
		"Tokens":            testTokens,
		"Audit":             testAudit,
		"AuditCoverage":     testAuditCoverage,
		"AuditRetention":    testAuditRetention,
		"JobDB":             testJobDB,
		"WorkspaceBarrier":  testWorkspaceBarrier,
		"Consent":           testConsent,
		"Events":            testEvents,
		"LegitimateInt":     testLegitimateInterest,
		"ConsentSubjects":   testConsentSubjects,
		"WriteSignup":       testWriteSignup,
		"Signups":           testSignups,
		"Suppressions":      testSuppressions,
		"SuppressionsRace":  testSuppressionsConcurrent,
		"WebhookOutbox":     testWebhookOutbox,
		"Verifications":     testVerifications,
		"Isolation":         testWorkspaceIsolation,
		"PublicLists":       testPublicLists,
		"ContactStatus":     testContactStatusChanges,
		"ContactWrite":      testContactWrite,
		"AllSources":        testAllSources,
		"VerifyJobs":        testVerifyJobs,
		"StaleVerify":       testStaleVerifications,
		"WorkspaceLists":    testWorkspaceListings,
		"SuppressionReads":  testSuppressionReads,
		"SuppressService":   testSuppressionService,
		"SecretsNoKey":      testSecretsWithoutKey,
		"BulkYardstick":     testBulkYardstick,
		"Campaigns":         testCampaigns,
		"CampaignSendLog":   testCampaignDeliveries,
		"SigningKeyPut":     testPutSigningKey,
		"CampaignClaimRace": testCampaignClaimRace,
		"CampaignReport":    testCampaignReport,
		"Transactional":     testTransactional,
		"CampaignLocalTime": testCampaignLocalTimes,
		"CampaignAB":        testCampaignAB,
		"SendBuckets":       testSendBuckets,
		"UpdateBucket":      testUpdateBucket,
		"WebhookNonces":     testWebhookNonces,
		"Bounce":            testBounce,
		"Users":             testUsers,
		"BounceBatch":       testBounceBatch,
		"ImportPages":       testImportPages,
		"ImportCancel":      testImportCancel,
		"ListingPages":      testListingPages,
		"UIAdmin":           testUIAdmin,
		"WorkspaceName":     testWorkspaceName,
		"CampaignProgress":  testCampaignProgress,
		"ClaimInFlight":     testClaimInFlight,
		"UIOps":             testUIOps,
		"Reporting":         testReporting,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t))
		})
	}
}

func ws(t *testing.T, st *store.Store, name string) int64 {
	t.Helper()
	w, err := st.EnsureWorkspace(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return w.ID
}

func source(t *testing.T, st *store.Store, wsID int64) contact.Source {
	t.Helper()
	src, err := st.CreateSource(context.Background(), contact.Source{WorkspaceID: wsID, Type: "api",
		Description: "test", Evidence: map[string]string{"form_url": "https://example.com/f"}})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func testWorkspaces(t *testing.T, st *store.Store) {
	ctx := context.Background()
	def, err := st.WorkspaceByName(ctx, store.DefaultWorkspace)
	if err != nil {
		t.Fatalf("default workspace missing: %v", err)
	}
	again, err := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
	if err != nil || again.ID != def.ID {
		t.Fatalf("EnsureWorkspace not idempotent: %v %v", again, err)
	}
	if _, err := st.WorkspaceByName(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing workspace: got %v, want ErrNotFound", err)
	}
}

func testAttributes(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "attrs")
	a := contact.Attribute{Name: "company", Type: contact.AttrText, Purpose: "B2B segmentation"}
	if err := st.AddAttribute(ctx, w, a); err != nil {
		t.Fatal(err)
	}
	if err := st.AddAttribute(ctx, w, a); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate attribute: got %v, want ErrConflict", err)
	}
	got, err := st.Attributes(ctx, w)
	if err != nil || len(got) != 1 || got[0] != a {
		t.Fatalf("Attributes = %v, %v", got, err)
	}
	if other, _ := st.Attributes(ctx, ws(t, st, "attrs-other")); len(other) != 0 {
		t.Fatalf("attributes leaked across workspaces: %v", other)
	}
	if err := st.RemoveAttribute(ctx, w, "company"); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveAttribute(ctx, w, "company"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("remove twice: %v", err)
	}
	// The declaration and its withdrawal are audited, the refused writes are not.
	es, err := st.AuditEntries(ctx, w, audit.Filter{Entity: "attribute"})
	if err != nil || len(es) != 2 || es[0].Action != "attribute.remove" || es[1].Action != "attribute.add" || es[1].EntityID != "company" {
		t.Fatalf("attribute audit entries = %+v, %v", es, err)
	}
}

func testSources(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "src")
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	in := contact.Source{WorkspaceID: w, Type: "own-stand-signup", Description: "Hall 3", CollectedBy: "anna",
		CollectedAt: &at, Evidence: map[string]string{"event": "Expo 2026", "wording": "Yes, send me news"}, OnBehalfOf: true}
	src, err := st.CreateSource(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Source(ctx, w, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != in.Type || got.CollectedBy != "anna" || !got.OnBehalfOf || got.Evidence["event"] != "Expo 2026" ||
		got.CollectedAt == nil || !got.CollectedAt.Equal(at) {
		t.Fatalf("source round trip: %+v", got)
	}
	if _, err := st.Source(ctx, ws(t, st, "src-other"), src.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("source visible from another workspace: %v", err)
	}
	source(t, st, w)
	page, err := st.Sources(ctx, w, 0, 1)
	if err != nil || len(page) != 1 || page[0].ID <= src.ID {
		t.Fatalf("Sources page 1 = %v, %v", page, err)
	}
	page, err = st.Sources(ctx, w, page[0].ID, 10)
	if err != nil || len(page) != 1 || page[0].ID != src.ID {
		t.Fatalf("Sources page 2 = %v, %v", page, err)
	}
}

func testLists(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "lists")
	l, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "customers"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "customers"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate list: %v", err)
	}
	e, err := st.EnsureList(ctx, w, "customers")
	if err != nil || e.ID != l.ID {
		t.Fatalf("EnsureList existing = %v, %v", e, err)
	}
	if _, err := st.List(ctx, ws(t, st, "lists-other"), l.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("list visible from another workspace: %v", err)
	}
	all, err := st.Lists(ctx, w)
	if err != nil || len(all) != 1 || all[0].Members != 0 {
		t.Fatalf("Lists = %v, %v", all, err)
	}
	if err := st.DeleteList(ctx, w, l.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteList(ctx, w, l.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}

func newContact(w int64, src int64, email string) contact.Contact {
	return contact.Contact{WorkspaceID: w, Email: email, EmailCanonical: email, FirstSourceID: src,
		Attrs: map[string]any{"company": "ACME", "size": 12.0}}
}

func testContacts(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "contacts")
	src := source(t, st, w)
	l, _ := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "l"})
	c, err := st.CreateContact(ctx, newContact(w, src.ID, "ann@example.com"), []int64{l.ID})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != contact.StatusActive {
		t.Fatalf("default status = %q", c.Status)
	}
	if _, err := st.CreateContact(ctx, newContact(w, src.ID, "ann@example.com"), nil); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate contact: %v", err)
	}
	got, err := st.Contact(ctx, w, c.ID)
	if err != nil || got.Attrs["company"] != "ACME" || got.Attrs["size"] != 12.0 || got.FirstSourceID != src.ID {
		t.Fatalf("Contact = %+v, %v", got, err)
	}
	if byMail, err := st.ContactByEmail(ctx, w, "ann@example.com"); err != nil || byMail.ID != c.ID {
		t.Fatalf("ContactByEmail = %v, %v", byMail, err)
	}
	lists, _ := st.ContactLists(ctx, w, c.ID)
	srcs, _ := st.ContactSources(ctx, w, c.ID)
	if len(lists) != 1 || len(srcs) != 1 {
		t.Fatalf("lists %v sources %v", lists, srcs)
	}
	src2 := source(t, st, w)
	got.Phone, got.Status = "+14155550123", contact.StatusUnsubscribed
	upd, err := st.UpdateContact(ctx, got, src2.ID, nil)
	if err != nil || upd.Phone != "+14155550123" || upd.Status != contact.StatusUnsubscribed {
		t.Fatalf("UpdateContact = %+v, %v", upd, err)
	}
	if srcs, _ := st.ContactSources(ctx, w, c.ID); len(srcs) != 2 || srcs[0].ID != src.ID {
		t.Fatalf("sources after update = %v; first source must stay first", srcs)
	}
	other := ws(t, st, "contacts-other")
	if _, err := st.Contact(ctx, other, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("contact visible from another workspace: %v", err)
	}
	if err := st.DeleteContact(ctx, other, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("contact deletable from another workspace: %v", err)
	}
	otherList, _ := st.CreateList(ctx, contact.List{WorkspaceID: other, Name: "theirs"})
	if _, err := st.CreateContact(ctx, newContact(w, src.ID, "bob@example.com"), []int64{otherList.ID}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("contact added to another workspace's list: %v", err)
	}
	if err := st.DeleteContact(ctx, w, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Contact(ctx, w, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted contact still there: %v", err)
	}
}

func testContactPaging(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "paging")
	src := source(t, st, w)
	l, _ := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "odd"})
	for i := range 25 {
		var lists []int64
		if i%2 == 1 {
			lists = []int64{l.ID}
		}
		if _, err := st.CreateContact(ctx, newContact(w, src.ID, fmt.Sprintf("p%02d@example.com", i)), lists); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	var after int64
	for {
		page, err := st.Contacts(ctx, w, store.ContactFilter{After: after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			seen = append(seen, c.Email)
		}
		after = page[len(page)-1].ID
	}
	if len(seen) != 25 || seen[0] != "p00@example.com" || seen[24] != "p24@example.com" {
		t.Fatalf("paged through %d contacts: %v", len(seen), seen)
	}
	odd, _ := st.Contacts(ctx, w, store.ContactFilter{ListID: l.ID})
	if len(odd) != 12 {
		t.Fatalf("list filter: %d contacts, want 12", len(odd))
	}
	unsub, _ := st.Contacts(ctx, w, store.ContactFilter{Status: contact.StatusUnsubscribed})
	if len(unsub) != 0 {
		t.Fatalf("status filter: %d", len(unsub))
	}
}

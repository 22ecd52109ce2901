package campaign_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/track"
)

// trackKeys is the tracking service's store over the composer's keys: the link builder
// reads only the key.
type trackKeys struct{ *memKeys }

func (trackKeys) RecordEvent(context.Context, track.Event) error { return nil }
func (trackKeys) EventCounts(context.Context, int64, int64) ([]track.Count, error) {
	return nil, nil
}

var (
	pixelRE = regexp.MustCompile(`https://lists\.example\.com/o/([A-Za-z0-9_-]+)`)
	clickRE = regexp.MustCompile(`https://lists\.example\.com/c/([A-Za-z0-9_-]+)`)
)

// TestComposerTrackingSwitch: a campaign's own tracking choice wins over the workspace's
// (off turns opens or clicks off, on turns them on), but never makes events name the
// contact when the workspace keeps aggregate tracking; every token carries the A/B variant
// of the message it is in.
func TestComposerTrackingSwitch(t *testing.T) {
	ctx := context.Background()
	r := campaign.Recipient{ContactID: 11, Address: "ann@example.org", Attrs: []byte(`{"first_name":"Ann"}`), Variant: 2}
	for _, tc := range []struct {
		name                  string
		workspace             map[string]string
		opens, clicks         string
		wantPixel, wantClicks bool
		wantContact           int64
	}{
		{"workspace on, campaign opens off", map[string]string{campaign.SettingTrackOpens: "true", campaign.SettingTrackClicks: "true"},
			"off", "", false, true, 0},
		{"workspace on, campaign clicks off", map[string]string{campaign.SettingTrackOpens: "true", campaign.SettingTrackClicks: "true"},
			"", "off", true, false, 0},
		{"workspace off, campaign opens on", map[string]string{}, "on", "", true, false, 0},
		{"workspace individual, campaign default", map[string]string{campaign.SettingTrackOpens: "true",
			campaign.SettingTrackClicks: "true", campaign.SettingTrackIndividual: "true"}, "", "", true, true, 11},
		{"workspace off, campaign default", map[string]string{}, "default", "", false, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := readySettings()
			for k, v := range tc.workspace {
				s[k] = v
			}
			k, keys := newComposer(t, s)
			k.Tracker = track.New(trackKeys{keys})
			c := testCampaign()
			c.HTML = `<p>Hello {{.Contact.first_name}}, see <a href="https://shop.example/spring">the sale</a></p>`
			c.TrackOpens, c.TrackClicks = tc.opens, tc.clicks
			if tc.opens == "default" {
				c.TrackOpens = "" // what the service stores for "default"
			}
			m, err := k.Render(ctx, c, r)
			if err != nil {
				t.Fatal(err)
			}
			px, cl := pixelRE.FindStringSubmatch(m.HTML), clickRE.FindStringSubmatch(m.HTML)
			if (px != nil) != tc.wantPixel || (cl != nil) != tc.wantClicks {
				t.Fatalf("pixel %v, clicks %v; want %v, %v\n%s", px != nil, cl != nil, tc.wantPixel, tc.wantClicks, m.HTML)
			}
			for _, tok := range [][]string{px, cl} {
				if tok == nil {
					continue
				}
				got, err := track.Verify(tok[1], func(int64) ([]byte, error) { return keys.ExistingSigningKey(ctx, 3, track.KeyName) })
				if err != nil || got.Variant != 2 || got.Contact != tc.wantContact || got.Campaign != 7 {
					t.Fatalf("token %+v, %v; want variant 2, contact %d", got, err, tc.wantContact)
				}
			}
		})
	}
}

// TestComposerPreferencesLink: every message's footer has "Manage your preferences", the
// recipient's own signed unsubscribe link opening its choices (?choose=1), in both parts,
// and click tracking leaves it alone.
func TestComposerPreferencesLink(t *testing.T) {
	ctx := context.Background()
	s := readySettings()
	s[campaign.SettingTrackClicks] = "true"
	k, keys := newComposer(t, s)
	k.Tracker = track.New(trackKeys{keys})
	m, err := k.Render(ctx, testCampaign(), campaign.Recipient{ContactID: 11, Address: "ann@example.org", Attrs: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	want := m.UnsubscribeURL + "?choose=1"
	if m.UnsubscribeURL == "" || !strings.HasPrefix(want, "https://lists.example.com/u/") {
		t.Fatalf("unsubscribe link %q", m.UnsubscribeURL)
	}
	for part, body := range map[string]string{"html": m.HTML, "text": m.Text} {
		if !strings.Contains(body, "Manage your preferences") || !strings.Contains(body, want) {
			t.Errorf("the %s part lacks the preferences link %s:\n%s", part, want, body)
		}
	}
	// A test send's footer has one too (a link that changes nobody's preferences).
	m, err = k.Render(ctx, testCampaign(), campaign.Recipient{Address: "me@example.org", Attrs: []byte(`{}`)})
	if err != nil || !strings.Contains(m.Text, "/u/test?choose=1") {
		t.Fatalf("test send: %v\n%s", err, m.Text)
	}
}

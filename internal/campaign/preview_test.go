package campaign_test

import (
	"context"
	"testing"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/track"
)

// TestComposerPreviewUntracked: a message rendered as a preview carries neither the open
// pixel nor tracked links, though the campaign tracks both; the same recipient's real
// message does.
func TestComposerPreviewUntracked(t *testing.T) {
	ctx := context.Background()
	s := readySettings()
	s[campaign.SettingTrackOpens], s[campaign.SettingTrackClicks] = "true", "true"
	k, keys := newComposer(t, s)
	k.Tracker = track.New(trackKeys{keys})
	c := testCampaign()
	c.HTML = `<p>Hello {{.Contact.first_name}}, see <a href="https://shop.example/spring">the sale</a></p>`
	for _, preview := range []bool{false, true} {
		m, err := k.Render(ctx, c, campaign.Recipient{Address: "ann@example.org", Attrs: []byte(`{"first_name":"Ann"}`), Preview: preview})
		if err != nil {
			t.Fatal(err)
		}
		tracked := pixelRE.MatchString(m.HTML) || clickRE.MatchString(m.HTML)
		if tracked == preview {
			t.Errorf("preview %v: tracked %v\n%s", preview, tracked, m.HTML)
		}
	}
}

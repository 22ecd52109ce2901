package report

import "context"

// Link is one tracked link of a campaign and its clicks: people's fetches (machines' left
// out) and the distinct contacts among them (0 without individual tracking).
type Link struct {
	URL    string `json:"url"`
	Clicks int64  `json:"clicks"`
	People int64  `json:"people"`
}

// Links is the clicks per link, most clicked first.
func (s *Service) Links(ctx context.Context, ws, id int64) ([]Link, error) {
	if _, err := s.st.Campaign(ctx, ws, id); err != nil {
		return nil, err
	}
	return s.st.ReportLinks(ctx, ws, id)
}

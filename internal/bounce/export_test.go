package bounce

// StopPhrases lists the phrases of the stop-request check, for its tests.
func StopPhrases() []string {
	out := make([]string, len(stopPhrases))
	for i, p := range stopPhrases {
		out[i] = p.Text
	}
	return out
}

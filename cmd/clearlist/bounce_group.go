package main

// bounceCmd is the bounce command group: what came back after sending (the parser's
// commands join it on merge).
type bounceCmd struct {
	Events  bounceEventsCmd  `cmd:"" help:"Show the delivery events (bounces, complaints, replies, delivery reports), newest first."`
	Reviews bounceReviewsCmd `cmd:"" help:"Show the replies that may ask to stop, waiting for a person to decide."`
	Review  bounceReviewCmd  `cmd:"" help:"Decide a queued reply: --stop puts the address on the do-not-contact list, --dismiss does not."`
}

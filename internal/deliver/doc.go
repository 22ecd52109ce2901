// Package deliver sends e-mail: messages rendered as RFC 5322 text (with the campaign headers
// and DKIM), a pooled and throttled SMTP transport with relay failover (Pool), a one-shot SMTP
// transport (SMTP), and a development outbox that keeps messages as files (Outbox).
//
// How a campaign sends one message (crash-safe):
//
//	pool, _ := deliver.NewPool(deliver.PoolConfig{Relays: relays, DomainLimiter: lim})
//	signer, _ := deliver.NewSigner(rsaKey, ed25519Key) // once per sending domain
//	m := deliver.Message{From: …, To: …, Subject: …, Text: …, HTML: …,
//		ReturnPath:     deliver.VERPAddress(verpKey, bounceDomain, ws, campaign, contact),
//		MessageID:      deliver.NewMessageID(fromAddr), // store it with the delivery first
//		ListID:         …, FeedbackID: deliver.FeedbackID(campaign, ws, "marketing", sender),
//		UnsubscribeURL: "https://…/u/<token>", UnsubscribeMailto: "unsubscribe+<token>@…",
//		DKIM:           signer}
//	// record the delivery as "sending" (committed) before this call
//	err := pool.Send(ctx, m)
//	switch {
//	case err == nil: // sent
//	case errors.Is(err, deliver.ErrOutcomeUnknown): // "unknown": never resend silently
//	case deliver.IsRetryable(err): // 4xx or the relay unreachable: retry later with backoff
//	default: // failed; errors.As(err, &se *deliver.SendError) gives Code, Enhanced, Message
//	}
//
// A SendError with RelayFault set blames the relay (connect, TLS, AUTH), not the recipient:
// pause the campaign rather than count the recipient as failed. Send is safe to call from many
// goroutines; give the pool as many workers as its relays have connections (Relay.MaxConns).
package deliver

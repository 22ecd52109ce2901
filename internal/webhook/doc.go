// Package webhook signs, sends and checks the HTTP callbacks clearlist posts to CRMs when its
// do-not-contact list changes: an HMAC-SHA256 signature over the timestamp and the body, and
// the retry schedule of failed deliveries.
package webhook

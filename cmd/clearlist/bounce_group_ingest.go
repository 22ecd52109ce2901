package main

// bounceCmd is the bounce command group. The bounce branch's bounce.go declares it with its
// parse command; at the merge, Ingest joins that declaration and this file goes.
type bounceCmd struct {
	Ingest bounceIngestCmd `cmd:"" help:"Take in bounces, complaints and replies from .eml files, mbox files and directories (as the inbound SMTP server would)."`
}

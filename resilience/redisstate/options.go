package redisstate

import (
	"log/slog"
	"strings"
)

// Options are the settings every store takes.
type Options struct {
	// Prefix namespaces the keys (default "connectors").
	Prefix string
	// Logger receives warnings when Redis is unreachable (nil: silent).
	Logger *slog.Logger
}

func (o Options) key(store string, parts ...string) string {
	p := o.Prefix
	if p == "" {
		p = "connectors"
	}
	return p + ":" + store + ":" + strings.Join(parts, ":")
}

func (o Options) log() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

package redact

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// String masks, in free text, the query values and user info of every URL and every
// card number (see [Text]). Use it for error messages before they are logged.
func String(s string) string {
	if strings.Contains(s, "://") {
		s = scrubURLs(s)
	}
	return Text(s)
}

func scrubURLs(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		// back up to the start of the scheme
		start := i
		for start > 0 && isSchemeByte(s[start-1]) {
			start--
		}
		end := i + 3
		for end < len(s) && !isURLEnd(s[end]) {
			end++
		}
		b.WriteString(s[:start])
		raw := s[start:end]
		if u, err := url.Parse(raw); err == nil {
			b.WriteString(URL(u))
		} else {
			b.WriteString(Mask)
		}
		s = s[end:]
	}
}

func isSchemeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'
}

func isURLEnd(c byte) bool {
	return c == ' ' || c == '"' || c == '\'' || c == '\n' || c == '\t' || c == '<' || c == '>'
}

// Handler is a slog.Handler that redacts every attribute before passing the record on:
// secret and personal attribute names get their value masked; strings and errors have
// URLs and card numbers scrubbed; *url.URL and http.Header values are redacted; the
// message itself is scrubbed too.
type Handler struct {
	next slog.Handler
	r    *Redactor
}

// NewHandler wraps next; personal names extra fields to mask on top of secrets.
func NewHandler(next slog.Handler, personal ...string) *Handler {
	return &Handler{next: next, r: New(personal...)}
}

// Logger returns a slog.Logger that redacts through a [Handler] around l's handler.
// A nil l gives a logger that discards everything.
func Logger(l *slog.Logger, personal ...string) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	if _, ok := l.Handler().(*Handler); ok && len(personal) == 0 {
		return l
	}
	return slog.New(NewHandler(l.Handler(), personal...))
}

// Enabled reports whether the wrapped handler handles level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle redacts the record's message and attributes, then passes it on.
func (h *Handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs redacts attrs now and returns a handler carrying them.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a)
	}
	return &Handler{next: h.next.WithAttrs(red), r: h.r}
}

// WithGroup returns a handler that nests later attributes under name.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), r: h.r}
}

func (h *Handler) attr(a slog.Attr) slog.Attr {
	if h.r.Sensitive(a.Key) {
		return slog.String(a.Key, Mask)
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, ga := range g {
			red[i] = h.attr(ga)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case *url.URL:
			return slog.String(a.Key, URL(x))
		case url.URL:
			return slog.String(a.Key, URL(&x))
		case http.Header:
			return slog.Any(a.Key, h.r.Header(x))
		case error:
			return slog.String(a.Key, String(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, String(x.String()))
		case []byte:
			return slog.String(a.Key, string(h.r.JSON(x)))
		default:
			return slog.String(a.Key, String(fmt.Sprint(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// Error wraps err so that its message has URLs and card numbers scrubbed, while
// errors.Is and errors.As still see the original chain. A *url.Error in the chain
// (net/http puts the request's full URL in one) has its URL masked in place, so that
// one taken out with errors.As does not show query values either.
func Error(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = URLString(ue.URL)
	}
	msg := err.Error()
	clean := String(msg)
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

package app

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// PrintTrace writes the trace of the story's dispatch (the trace whose root is the
// Reach sync that found the request, with the most spans) as an indented tree: each
// span's name, the system and attempts of an operation, the status of an attempt,
// and its duration. It writes nothing when no such trace was recorded.
func PrintTrace(w io.Writer, spans []sdktrace.ReadOnlySpan) {
	byTrace := map[trace.TraceID][]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byTrace[s.SpanContext().TraceID()] = append(byTrace[s.SpanContext().TraceID()], s)
	}
	var best []sdktrace.ReadOnlySpan
	var root sdktrace.ReadOnlySpan
	for _, ss := range byTrace {
		for _, s := range ss {
			if s.Name() == "sync reach" && !s.Parent().IsValid() && len(ss) > len(best) {
				best, root = ss, s
			}
		}
	}
	if root == nil {
		return
	}
	children := map[trace.SpanID][]sdktrace.ReadOnlySpan{}
	for _, s := range best {
		children[s.Parent().SpanID()] = append(children[s.Parent().SpanID()], s)
	}
	for _, c := range children {
		slices.SortFunc(c, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	}
	fmt.Fprintf(w, "trace %s of the dispatch (%d spans):\n", root.SpanContext().TraceID(), len(best))
	var walk func(s sdktrace.ReadOnlySpan, depth int)
	walk = func(s sdktrace.ReadOnlySpan, depth int) {
		fmt.Fprintf(w, "%s%s\n", strings.Repeat("  ", depth), describe(s))
		for _, c := range children[s.SpanContext().SpanID()] {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
}

// describe is one line of the tree.
func describe(s sdktrace.ReadOnlySpan) string {
	parts := []string{s.Name()}
	for _, kv := range s.Attributes() {
		switch kv.Key {
		case "connectors.system":
			parts = append(parts, "system="+kv.Value.String())
		case "connectors.attempts":
			parts = append(parts, "attempts="+kv.Value.String())
		case "http.response.status_code":
			parts = append(parts, "status="+kv.Value.String())
		case "http.request.resend_count":
			parts = append(parts, "resend="+kv.Value.String())
		}
	}
	return strings.Join(parts, "  ") + "  " + s.EndTime().Sub(s.StartTime()).Round(10*time.Microsecond).String()
}

package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/dispatchcenter/connectors/ops"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/propagation"
)

// The integration design's messaging settings: at most 3 deliveries, then a dead-letter stream
// kept 7 days; a duplicate window that drops a re-published event by its id.
const (
	StreamEvents    = "DISPATCH"
	StreamDead      = "DISPATCH_DLQ"
	MaxDeliver      = 3
	DeadLetterAge   = 7 * 24 * time.Hour
	DuplicateWindow = 2 * time.Hour
)

// Bus is the JetStream side: an embedded server by default, or an existing cluster.
type Bus struct {
	cons jetstream.Consumer
	nc   *nats.Conn
	js   jetstream.JetStream
	ns   *server.Server
	dir  string
}

// OpenBus connects to url, or (url "") starts an embedded JetStream server with its
// file store in dir, created if missing and reused as it is: what was accepted but not
// yet processed, and the dead letters, are there again after a restart, even after a
// crash. An empty dir is a temporary directory removed on Close. The streams are
// created if missing.
func OpenBus(ctx context.Context, url, dir string) (*Bus, error) {
	b := &Bus{}
	if url == "" {
		if dir == "" {
			tmp, err := os.MkdirTemp("", "dispatch-jetstream-")
			if err != nil {
				return nil, err
			}
			dir, b.dir = tmp, tmp
		} else if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("JetStream store: %w", err)
		}
		ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoSigs: true, NoLog: true})
		if err != nil {
			return nil, fmt.Errorf("embedded NATS: %w", err)
		}
		go ns.Start()
		if !ns.ReadyForConnections(10 * time.Second) {
			ns.Shutdown()
			return nil, errors.New("embedded NATS did not start")
		}
		b.ns, url = ns, ns.ClientURL()
	}
	nc, err := nats.Connect(url, nats.Name("dispatch"))
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("NATS at %s: %w", url, err)
	}
	b.nc = nc
	if b.js, err = jetstream.New(nc); err != nil {
		b.Close()
		return nil, err
	}
	for _, sc := range []jetstream.StreamConfig{
		{Name: StreamEvents, Subjects: []string{"dispatch.>"}, Storage: jetstream.FileStorage, Duplicates: DuplicateWindow, MaxAge: 7 * 24 * time.Hour},
		{Name: StreamDead, Subjects: []string{"dlq.>"}, Storage: jetstream.FileStorage, MaxAge: DeadLetterAge},
	} {
		if _, err := b.js.CreateOrUpdateStream(ctx, sc); err != nil {
			b.Close()
			return nil, fmt.Errorf("stream %s: %w", sc.Name, err)
		}
	}
	return b, nil
}

// Publish publishes an event with its id as Nats-Msg-Id, so the stream's duplicate
// window drops a re-publication of the same event.
func (b *Bus) Publish(ctx context.Context, subject, id string, data []byte) error {
	_, err := b.js.PublishMsg(ctx, &nats.Msg{Subject: subject, Data: data, Header: traceHeader(ctx, nats.Header{})}, jetstream.WithMsgID(id))
	return err
}

// traceHeader adds the trace context of ctx to h (W3C traceparent and tracestate),
// so that the consumer's work continues the publisher's trace; nothing when ctx
// carries no span.
func traceHeader(ctx context.Context, h nats.Header) nats.Header {
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(h))
	return h
}

// PublishEvent publishes a canonical event with the vendor's event type in the
// Dispatch-Event-Type header, and its id as Nats-Msg-Id.
func (b *Bus) PublishEvent(ctx context.Context, subject, id, vendorType string, data []byte) error {
	_, err := b.js.PublishMsg(ctx, &nats.Msg{Subject: subject, Data: data, Header: traceHeader(ctx, nats.Header{"Dispatch-Event-Type": []string{vendorType}})},
		jetstream.WithMsgID(id))
	return err
}

// Consume runs handle for every event with at-least-once delivery: an error is
// retried (up to MaxDeliver deliveries), then the message goes to the dead-letter
// stream under "dlq.<subject>". It returns a stop function that drains.
func (b *Bus) Consume(ctx context.Context, durable string, ackWait time.Duration, handle func(context.Context, jetstream.Msg) error, dead func(subject string, err error)) (func(), error) {
	if ackWait <= 0 {
		ackWait = 30 * time.Second
	}
	c, err := b.js.CreateOrUpdateConsumer(ctx, StreamEvents, jetstream.ConsumerConfig{
		Durable: durable, AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: MaxDeliver, AckWait: ackWait,
		FilterSubject: "dispatch.>",
	})
	if err != nil {
		return nil, err
	}
	b.cons = c
	cc, err := c.Consume(func(m jetstream.Msg) {
		herr := handle(propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(m.Headers())), m)
		if herr == nil {
			_ = m.Ack()
			return
		}
		md, _ := m.Metadata()
		if md != nil && md.NumDelivered >= MaxDeliver {
			hdr := nats.Header{"Dispatch-Error": []string{herr.Error()}, "Dispatch-Subject": []string{m.Subject()}}
			_, _ = b.js.PublishMsg(ctx, &nats.Msg{Subject: "dlq." + m.Subject(), Data: m.Data(), Header: hdr})
			_ = m.Term()
			if dead != nil {
				dead(m.Subject(), herr)
			}
			return
		}
		_ = m.NakWithDelay(time.Duration(md.NumDelivered) * 100 * time.Millisecond)
	})
	if err != nil {
		return nil, err
	}
	return cc.Drain, nil
}

// Last returns the last event published on subject, with its vendor event type.
func (b *Bus) Last(ctx context.Context, subject string) ([]byte, string, error) {
	s, err := b.js.Stream(ctx, StreamEvents)
	if err != nil {
		return nil, "", err
	}
	m, err := s.GetLastMsgForSubject(ctx, subject)
	if err != nil {
		return nil, "", err
	}
	return m.Data, m.Header.Get("Dispatch-Event-Type"), nil
}

// Pending returns the events waiting for the consumer and those delivered but not
// yet acknowledged (the queue depth).
func (b *Bus) Pending(ctx context.Context) (waiting, unacked int, err error) {
	if b.cons == nil {
		return 0, 0, nil
	}
	info, err := b.cons.Info(ctx)
	if err != nil {
		return 0, 0, err
	}
	return int(info.NumPending), info.NumAckPending, nil
}

// DeadLetters lists the dead letters (subject and error) kept in the stream.
func (b *Bus) DeadLetters(ctx context.Context) ([]DeadLetter, error) {
	s, err := b.js.Stream(ctx, StreamDead)
	if err != nil {
		return nil, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return nil, err
	}
	var out []DeadLetter
	for seq := info.State.FirstSeq; seq > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			continue
		}
		out = append(out, DeadLetter{Seq: seq, Subject: m.Header.Get("Dispatch-Subject"), Error: m.Header.Get("Dispatch-Error"), Data: m.Data})
	}
	return out, nil
}

// Replay publishes a dead letter again on its original subject (after the cause was
// fixed) and removes it from the dead-letter stream.
func (b *Bus) Replay(ctx context.Context, d DeadLetter) error {
	if _, err := b.js.Publish(ctx, d.Subject, d.Data); err != nil {
		return err
	}
	s, err := b.js.Stream(ctx, StreamDead)
	if err != nil {
		return err
	}
	return s.DeleteMsg(ctx, d.Seq)
}

// DeadLetter is a message that failed MaxDeliver times.
type DeadLetter struct {
	Seq     uint64
	Subject string
	Error   string
	Data    []byte
}

// URL is the NATS server's client URL.
func (b *Bus) URL() string { return b.nc.ConnectedUrl() }

// Disconnect drops the connection abruptly, as a crashed process would.
func (b *Bus) Disconnect() { b.nc.Close() }

// Close disconnects and stops the embedded server.
func (b *Bus) Close() {
	if b.nc != nil {
		b.nc.Close()
	}
	if b.ns != nil {
		b.ns.Shutdown()
		b.ns.WaitForShutdown()
	}
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}

// Latest is the sequence of the newest event in the stream (for the live feed).
func (b *Bus) Latest(ctx context.Context) (uint64, error) {
	s, err := b.js.Stream(ctx, StreamEvents)
	if err != nil {
		return 0, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.State.LastSeq, nil
}

// Follow calls fn for every event of the stream after the sequence after, in
// order, then for each new one, until ctx ends: the live feed's log, which resumes
// a reconnecting screen from its Last-Event-ID within the stream's retention
// (7 days). It reads through an ordered consumer of its own, so the dispatcher's
// durable consumer is untouched.
func (b *Bus) Follow(ctx context.Context, after uint64, fn func(ops.LiveEvent) error) error {
	c, err := b.js.OrderedConsumer(ctx, StreamEvents, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"dispatch.>"},
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: after + 1})
	if err != nil {
		return err
	}
	it, err := c.Messages()
	if err != nil {
		return err
	}
	exit, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-ctx.Done():
			it.Stop() // ends Next below
		case <-exit:
		}
	}()
	defer func() { close(exit); it.Stop(); <-stopped }()
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		md, err := m.Metadata()
		if err != nil {
			return err
		}
		if err := fn(ops.LiveEvent{ID: md.Sequence.Stream, Type: m.Subject(), Data: m.Data()}); err != nil {
			return err
		}
	}
}

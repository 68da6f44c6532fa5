package treadnet

import (
	"bytes"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/clock"
)

// v2cLinkDown is a v2c linkDown trap for community "c" (snmptrap -v 2c -c c … linkDown).
var v2cLinkDown = []byte{
	0x30, 0x3c, 0x02, 0x01, 0x01, 0x04, 0x01, 'c',
	0xa7, 0x34, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
	0x30, 0x29,
	0x30, 0x0e, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x02, 0x0f, 0xa0,
	0x30, 0x17, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01, 0x04, 0x01, 0x00,
	0x06, 0x09, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01, 0x05, 0x03,
}

// TestDecoderPanicIsContained makes the decoder itself panic (a nil gosnmp decoder
// dereferences nil, as gosnmp v1.47.0 does on a bare SNMPv3 header): the packet is
// counted as malformed, logged once per interval, and the receiver's lock is free for
// the next packet.
func TestDecoderPanicIsContained(t *testing.T) {
	var logs bytes.Buffer
	clk := clock.NewFake(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	r, err := NewTrapReceiver(TrapConfig{Communities: []string{"c"}, Clock: clk,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	agent := netip.MustParseAddr("127.0.0.1")
	ev, err := r.Decode(v2cLinkDown, agent)
	require.NoError(t, err, "the packet is a good trap")
	require.Equal(t, NetworkOutageDetected, ev.Kind)

	decoder := r.v2c
	r.v2c = nil // (*gosnmp.GoSNMP)(nil).UnmarshalTrap panics
	for range 3 {
		r.Handle(v2cLinkDown, agent)
	}
	clk.Advance(logEvery)
	r.Handle(v2cLinkDown, agent)
	r.v2c = decoder
	r.Handle(v2cLinkDown, agent) // would deadlock if a panic had left r.mu locked

	assert.Equal(t, TrapStats{Received: 5, Malformed: 4, DecoderPanics: 4, Queued: 1}, r.Stats())
	out := logs.String()
	assert.Equal(t, 2, strings.Count(out, "SNMP decoder panicked"), "once per interval:\n%s", out)
	assert.Contains(t, out, "since_last_log=2", "the second line says how many the first interval held back")
	assert.NotContains(t, out, "c\x04", "no packet bytes (they hold the community) are logged")
}

func TestCheckMessage(t *testing.T) {
	cases := []struct {
		name    string
		packet  []byte
		version int
	}{
		{"v2c trap", v2cLinkDown, 1},
		{"v3 header only", []byte{0x30, 0x05, 0x02, 0x01, 0x03, 0x30, 0x00}, 0},
		{"trailing byte", append(append([]byte{}, v2cLinkDown...), 0), 0},
		{"long-form length", append([]byte{0x30, 0x81, 0x3c}, v2cLinkDown[2:]...), 1},
		{"indefinite length", append([]byte{0x30, 0x80}, v2cLinkDown[2:]...), 0},
		{"GetRequest, not a notification", func() []byte {
			p := append([]byte{}, v2cLinkDown...)
			p[8] = 0xa0
			return p
		}(), 0},
		{"v1 trap", func() []byte {
			p := append([]byte{}, v2cLinkDown...)
			p[4] = 0
			return p
		}(), 0},
	}
	for i := range len(v2cLinkDown) {
		cases = append(cases, struct {
			name    string
			packet  []byte
			version int
		}{"truncated", v2cLinkDown[:i], 0})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := checkMessage(tc.packet)
			if tc.version == 0 {
				assert.ErrorIs(t, err, ErrTrapMalformed)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.version, v)
		})
	}
}

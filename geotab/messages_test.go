package geotab_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/geotab"
	"github.com/dispatchcenter/connectors/geotab/geotabtest"
)

// TestSendMessageWireShapes: each kind of message goes out as Geotab's samples send
// it (SDK sendTextMessage: isDirectionToVehicle true, the device, the content by type;
// a Location at 0, 0 clears the stops), and the fake records it.
func TestSendMessageWireShapes(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(2), geotabtest.WithZones(0))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	cases := []struct {
		name    string
		content geotab.MessageContent
		wire    string
	}{
		{"text", geotab.Text("Job SR000042 at 100 Queen St W", false),
			`"messageContent":{"contentType":"Normal","message":"Job SR000042 at 100 Queen St W"}`},
		{"urgent", geotab.Text("Call dispatch", true), `"messageContent":{"contentType":"Normal","message":"Call dispatch","urgent":true}`},
		{"canned", geotab.CannedResponses("Can you take SR000042?", "Yes", "No"),
			`"messageContent":{"cannedResponseOptions":[{"text":"Yes"},{"text":"No"}],"contentType":"CannedResponse","message":"Can you take SR000042?"}`},
		{"stop", geotab.LocationStop("100 Queen St W, Toronto", 43.6525, -79.3839),
			`"messageContent":{"address":"100 Queen St W, Toronto","contentType":"Location","latitude":43.6525,"longitude":-79.3839}`},
		{"reset", geotab.ResetStops(), `"messageContent":{"address":"reset stops","contentType":"Location","latitude":0,"longitude":0}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, err := c.SendMessage(ctx, "b1", tc.content)
			require.NoError(t, err)
			assert.NotEmpty(t, id)
			p := lastParams(srv, "Add", `"typeName":"TextMessage"`)
			assert.Contains(t, p, `"isDirectionToVehicle":true`)
			assert.Contains(t, p, `"device":{"id":"b1"}`)
			assert.Contains(t, p, tc.wire)
		})
	}
	assert.Len(t, srv.Messages("b1"), len(cases), "the fake keeps what it was sent")

	for _, bad := range []struct {
		device  string
		content geotab.MessageContent
	}{{"", geotab.Text("x", false)}, {"b1", geotab.Text("", false)}, {"b1", geotab.MessageContent{ContentType: geotab.ContentLocation}},
		{"b1", geotab.MessageContent{ContentType: "GoTalk", Message: "x"}}} {
		_, err := c.SendMessage(ctx, bad.device, bad.content)
		assert.ErrorIs(t, err, connectors.ErrInvalidRequest, "%+v refused before the network", bad)
	}
	_, err := c.SendMessage(ctx, "bZZ", geotab.Text("x", false))
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest, "an unknown device is MyGeotab's ArgumentException")
}

// TestRepliesThroughTheFeed: the driver's answer to a canned question arrives through
// the TextMessage feed as a reply naming its parent (SDK sample pollTextMessages).
func TestRepliesThroughTheFeed(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(2), geotabtest.WithZones(0))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	start := srv.Now()
	id, err := c.SendMessage(ctx, "b2", geotab.CannedResponses("Can you take SR000042?", "Yes", "No"))
	require.NoError(t, err)
	srv.Advance(2 * time.Minute)
	reply, ok := srv.Reply(id, "Yes")
	require.True(t, ok)
	_, again := srv.Reply(id, "No")
	assert.False(t, again, "one reply per message")

	// the question, the reply, and the question again with its replyMessage
	got := collect(t, c.TextMessageFeed(ctx, geotab.FeedOptions{FromDate: start}), 3)
	var replies []geotab.TextMessage
	for _, m := range got {
		if geotab.IsReply(m) {
			replies = append(replies, m)
		}
	}
	require.Len(t, replies, 1)
	assert.Equal(t, reply, replies[0].ID)
	assert.Equal(t, id, replies[0].ParentMessage.ID)
	assert.Equal(t, "Yes", replies[0].MessageContent.Message)
	assert.Equal(t, "b2", replies[0].Device.ID)
	assert.Equal(t, reply, got[2].ReplyMessage.ID, "the question now names its reply")

	byParent, err := c.TextMessages(ctx, geotab.TextMessageSearch{ParentTextMessageID: id})
	require.NoError(t, err)
	require.Len(t, byParent, 1)
	assert.Equal(t, reply, byParent[0].ID)
	since, err := c.TextMessages(ctx, geotab.TextMessageSearch{ModifiedSinceDate: geotab.NewTime(srv.Now())})
	require.NoError(t, err)
	assert.Len(t, since, 2, "the reply and the answered question changed since")
}

// TestDriversAndDutyStatus: who drives which vehicle (DriverChange) and whether they
// are on duty (DutyStatusLog), read, searched and followed.
func TestDriversAndDutyStatus(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(3), geotabtest.WithZones(0))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	start := srv.Now()
	changes, err := geotab.Collect(c.DriverChanges(ctx, geotab.DriverChangeSearch{}))
	require.NoError(t, err)
	require.Len(t, changes, 3, "each vehicle's driver")
	assert.Equal(t, geotab.DriverChangeTypeDriverKey, changes[0].Type, "u1 has a driver key")
	assert.Equal(t, geotab.DriverChangeTypeDriver, changes[1].Type, "u2 was assigned in MyGeotab")

	srv.Advance(time.Minute)
	require.True(t, srv.SwipeKey("b1", "u2"))
	now := srv.Now()
	b1, err := geotab.Collect(c.DriverChanges(ctx, geotab.DriverChangeSearch{DeviceSearch: geotab.IDSearch{ID: "b1"},
		FromDate: geotab.NewTime(now), IncludeOverlappedChanges: true}))
	require.NoError(t, err)
	require.Len(t, b1, 2, "the change in force at fromDate, then the new one")
	assert.Equal(t, "u1", b1[0].Driver.ID)
	assert.Equal(t, "u2", b1[1].Driver.ID)
	srv.Advance(time.Minute)
	dsi, err := c.DeviceStatusInfos(ctx, geotab.DeviceStatusInfoSearch{DeviceSearch: geotab.DeviceSearch{ID: "b1"}})
	require.NoError(t, err)
	require.Len(t, dsi, 1)
	assert.Equal(t, "u2", dsi[0].Driver.ID, "the vehicle is the new driver's")

	_, err = geotab.Add(ctx, c, geotab.TypeNameDriverChange, geotab.DriverChange{Device: geotab.NewRef("b2"), Driver: geotab.NewRef("u3"),
		Type: geotab.DriverChangeTypeDriverKey})
	assert.ErrorIs(t, err, connectors.ErrInvalidRequest, "DriverKey changes cannot be user-assigned")
	_, err = geotab.Add(ctx, c, geotab.TypeNameDriverChange, geotab.DriverChange{Device: geotab.NewRef("b2"), Driver: geotab.NewRef("u3"),
		Type: geotab.DriverChangeTypeDriver})
	require.NoError(t, err)

	srv.Advance(time.Hour) // trips start and end: the logs say D, then ON
	logs, err := geotab.Collect(c.DutyStatusLogs(ctx, geotab.DutyStatusLogSearch{UserSearch: geotab.IDSearch{ID: "u3"}}))
	require.NoError(t, err)
	statuses := map[string]bool{}
	for _, l := range logs {
		statuses[l.Status] = true
	}
	assert.True(t, statuses[geotab.DutyDriving] && statuses[geotab.DutyOn], "driving and on duty: %v", statuses)
	driving, err := geotab.Collect(c.DutyStatusLogs(ctx, geotab.DutyStatusLogSearch{Statuses: []string{geotab.DutyDriving}}))
	require.NoError(t, err)
	require.NotEmpty(t, driving)
	for _, l := range driving {
		assert.Equal(t, geotab.DutyDriving, l.Status)
	}
	// the driver goes off duty (a log added as Geotab's importHosLogs sample adds them)
	_, err = geotab.Add(ctx, c, geotab.TypeNameDutyStatusLog, geotab.DutyStatusLog{Device: geotab.NewRef("b3"), Driver: geotab.NewRef("u3"),
		DateTime: geotab.NewTime(srv.Now()), Status: geotab.DutyOff})
	require.NoError(t, err)
	last, err := geotab.Collect(c.DutyStatusLogs(ctx, geotab.DutyStatusLogSearch{UserSearch: geotab.IDSearch{ID: "u3"},
		FromDate: geotab.NewTime(srv.Now().Add(time.Second)), IncludeBoundaryLogs: true}))
	require.NoError(t, err)
	require.Len(t, last, 1, "the log in force now")
	assert.Equal(t, geotab.DutyOff, last[0].Status)
	assert.False(t, geotab.OnDuty(last[0].Status))
	assert.True(t, geotab.OnDuty(geotab.DutyDriving))

	feed := collect(t, c.DriverChangeFeed(ctx, geotab.FeedOptions{FromDate: start}), 5)
	assert.Equal(t, "u2", feed[3].Driver.ID)
	dl := collect(t, c.DutyStatusLogFeed(ctx, geotab.FeedOptions{FromDate: start}), 3)
	assert.Equal(t, geotab.DutyOn, dl[0].Status, "every driver starts on duty")
}

// TestDeviceStatusInfoFeed: each vehicle's state comes again as it changes.
func TestDeviceStatusInfoFeed(t *testing.T) {
	srv := geotabtest.NewServer(t, geotabtest.WithVehicles(4), geotabtest.WithZones(0))
	c, _ := newClient(t, srv)
	ctx := context.Background()
	start := srv.Now()
	srv.Advance(5 * time.Minute)
	got := collect(t, c.DeviceStatusInfoFeed(ctx, geotab.FeedOptions{FromDate: start}), 12)
	devices := map[string]int{}
	for _, d := range got {
		devices[d.Device.ID]++
		assert.False(t, d.DateTime.IsZero())
	}
	assert.Len(t, devices, 4, "every vehicle")
}

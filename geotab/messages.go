package geotab

import (
	"context"
	"fmt"
	"iter"

	"github.com/dispatchcenter/connectors"
)

// Text messages reach a vehicle's Garmin or Geotab Drive: a TextMessage added with
// isDirectionToVehicle true; the driver's reply comes back as a TextMessage with
// isDirectionToVehicle false whose parentMessage is the message it answers (SDK
// reference, TextMessage; SDK samples sendTextMessage and pollTextMessages).

// Message content types (SDK reference, MessageContentType).
const (
	ContentNormal         MessageContentContentType = "Normal"
	ContentCannedResponse MessageContentContentType = "CannedResponse"
	ContentLocation       MessageContentContentType = "Location"
)

// Text is a plain message; an urgent one is shown at once on a Garmin (SDK reference,
// TextContent.Urgent).
func Text(message string, urgent bool) MessageContent {
	return MessageContent{ContentType: ContentNormal, Message: message, Urgent: urgent}
}

// CannedResponses is a question the driver answers by picking one of replies.
func CannedResponses(message string, replies ...string) MessageContent {
	m := MessageContent{ContentType: ContentCannedResponse, Message: message}
	for _, r := range replies {
		m.CannedResponseOptions = append(m.CannedResponseOptions, CannedResponseOption{Text: r})
	}
	return m
}

// LocationStop sends a stop (a job site) to the vehicle's navigation.
func LocationStop(address string, latitude, longitude float64) MessageContent {
	return MessageContent{ContentType: ContentLocation, Address: address, Latitude: &latitude, Longitude: &longitude}
}

// ResetStops clears the stops sent before: a Location at latitude and longitude 0
// ("a clear previous stops message", SDK sample sendTextMessage).
func ResetStops() MessageContent {
	zero := 0.0
	return MessageContent{ContentType: ContentLocation, Address: "reset stops", Latitude: &zero, Longitude: &zero}
}

// SendMessage sends content to a vehicle's driver and returns the message's id. It is
// sent without a user (MyGeotab keeps it null for messages not sent by a person;
// SDK reference, TextMessage.User). An Add is not retried after a lost answer: the
// error matches connectors.ErrOutcomeUnknown; look for the message with
// [Client.TextMessages] before sending it again.
func (c *Client) SendMessage(ctx context.Context, deviceID string, content MessageContent) (string, error) {
	if deviceID == "" {
		return "", fmt.Errorf("geotab: SendMessage needs a device: %w", connectors.ErrInvalidRequest)
	}
	switch content.ContentType {
	case ContentNormal, ContentCannedResponse:
		if content.Message == "" {
			return "", fmt.Errorf("geotab: a %s message needs text: %w", content.ContentType, connectors.ErrInvalidRequest)
		}
	case ContentLocation:
		if content.Latitude == nil || content.Longitude == nil {
			return "", fmt.Errorf("geotab: a Location message needs latitude and longitude: %w", connectors.ErrInvalidRequest)
		}
	default:
		return "", fmt.Errorf("geotab: unknown message content type %q: %w", content.ContentType, connectors.ErrInvalidRequest)
	}
	return Add(ctx, c, TypeNameTextMessage, TextMessage{IsDirectionToVehicle: true, Device: NewRef(deviceID), MessageContent: content})
}

// TextMessages lists messages to and from vehicles: by device, by the time they were
// sent, or modified (delivered, read, answered) since a time.
func (c *Client) TextMessages(ctx context.Context, s TextMessageSearch) ([]TextMessage, error) {
	return Get[TextMessage](ctx, c, TypeNameTextMessage, nonZero(s), 0)
}

// TextMessageFeed follows messages, the drivers' replies among them ([IsReply]).
func (c *Client) TextMessageFeed(ctx context.Context, o FeedOptions) iter.Seq2[TextMessage, error] {
	return Follow[TextMessage](ctx, c, TypeNameTextMessage, o)
}

// IsReply reports whether m is a driver's reply; m.ParentMessage is the message it
// answers.
func IsReply(m TextMessage) bool { return !m.IsDirectionToVehicle && !m.ParentMessage.IsZero() }

// DriverChanges yields the drivers taking vehicles (by device, driver and time), paged
// as [GetAll]. IncludeOverlappedChanges adds the change in force at FromDate.
func (c *Client) DriverChanges(ctx context.Context, s DriverChangeSearch) iter.Seq2[DriverChange, error] {
	return GetAll[DriverChange](ctx, c, TypeNameDriverChange, nonZero(s), MaxResults)
}

// DriverChangeFeed follows driver changes: who drives which vehicle, as it happens.
func (c *Client) DriverChangeFeed(ctx context.Context, o FeedOptions) iter.Seq2[DriverChange, error] {
	return Follow[DriverChange](ctx, c, TypeNameDriverChange, o)
}

// Duty statuses of an hours-of-service log (SDK reference, DutyStatusLogType; the
// event types — Login, Certify, the compliance events — are not listed).
const (
	DutyOn            = "ON"  // on duty, not driving
	DutyOff           = "OFF" // off duty
	DutyDriving       = "D"
	DutySleeper       = "SB" // sleeper berth
	DutyPersonalUse   = "PC" // personal conveyance
	DutyYardMove      = "YM"
	DutyWaitingAtWell = "WT"
)

// OnDuty reports whether a duty status has the driver on duty (on duty, driving, a
// yard move, waiting at a well): a driver off duty, in the sleeper berth or on
// personal conveyance is not available for a job. Whether the driver has hours left
// is MyGeotab's DutyStatusAvailability, not typed here.
func OnDuty(status string) bool {
	switch status {
	case DutyOn, DutyDriving, DutyYardMove, DutyWaitingAtWell:
		return true
	}
	return false
}

// DutyStatusLogs yields hours-of-service logs (by device, driver, status and time),
// paged as [GetAll]. IncludeBoundaryLogs adds the log in force at FromDate.
func (c *Client) DutyStatusLogs(ctx context.Context, s DutyStatusLogSearch) iter.Seq2[DutyStatusLog, error] {
	return GetAll[DutyStatusLog](ctx, c, TypeNameDutyStatusLog, nonZero(s), MaxResults)
}

// DutyStatusLogFeed follows hours-of-service logs as drivers record them.
func (c *Client) DutyStatusLogFeed(ctx context.Context, o FeedOptions) iter.Seq2[DutyStatusLog, error] {
	return Follow[DutyStatusLog](ctx, c, TypeNameDutyStatusLog, o)
}

// DeviceStatusInfoFeed follows vehicles' current state (position, driving, driver):
// one record per vehicle, sent again as it changes (GetFeed of DeviceStatusInfo,
// since MyGeotab 5.7.2101).
func (c *Client) DeviceStatusInfoFeed(ctx context.Context, o FeedOptions) iter.Seq2[DeviceStatusInfo, error] {
	return Follow[DeviceStatusInfo](ctx, c, TypeNameDeviceStatusInfo, o)
}

package reach

import (
	"context"
	"iter"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
)

// invoke runs one operation (see [connector.Invoke]).
func invoke[T any](ctx context.Context, c *Client, r connector.Request) (T, error) {
	v, _, err := connector.Invoke[T](ctx, &c.end, r)
	return v, err
}

// ListOptions filter and page a list.
type ListOptions struct {
	// UpdatedSince keeps records changed at or after this time.
	UpdatedSince time.Time
	// PageSize is the page size (default 100, at most 500).
	PageSize int
}

// ServiceRequestFilter narrows [Client.ServiceRequests].
type ServiceRequestFilter struct {
	ListOptions
	Status     ServiceRequestStatus
	CustomerID string
}

// ServiceRequests lists service requests, oldest change first, page by page.
func (c *Client) ServiceRequests(ctx context.Context, f ServiceRequestFilter) iter.Seq2[ServiceRequest, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]ServiceRequest, string, error) {
		p, err := c.serviceRequestPage(ctx, f, cursor)
		return p.Data, p.NextCursor, err
	})
}

func (c *Client) serviceRequestPage(ctx context.Context, f ServiceRequestFilter, cursor string) (ServiceRequestPage, error) {
	return invoke[ServiceRequestPage](ctx, c, connector.Request{Op: "GET /api/servicerequests", Class: connectors.ClassPersonal,
		Query: connector.Query("cursor", cursor, "limit", connector.Int(f.PageSize), "updated_since", connector.Time(f.UpdatedSince),
			"status", string(f.Status), "customer_id", f.CustomerID)})
}

// ServiceRequest returns one service request.
func (c *Client) ServiceRequest(ctx context.Context, id string) (ServiceRequest, error) {
	return invoke[ServiceRequest](ctx, c, connector.Request{Op: "GET /api/servicerequests/{id}", Params: []string{id},
		Class: connectors.ClassPersonal})
}

// CreateServiceRequest opens a job in Reach. One idempotency key is made per call (or
// given with [WithIdempotencyKey]) and sent with every retry, so a retried create
// never opens the job twice. When the answer is lost after Reach got the request,
// the error matches connectors.ErrOutcomeUnknown and carries the key: call again
// with it to learn whether the job was opened.
func (c *Client) CreateServiceRequest(ctx context.Context, in NewServiceRequest, opts ...CallOption) (ServiceRequest, error) {
	key, err := idempotencyKey(opts)
	if err != nil {
		return ServiceRequest{}, err
	}
	return invoke[ServiceRequest](connector.Mutation(ctx, key), c, connector.Request{Op: "POST /api/servicerequests",
		Header: connector.Headers("Idempotency-Key", key), Body: in,
		Class: connectors.ClassPersonal, Summary: map[string]string{"priority": string(in.Priority)}})
}

// UpdateServiceRequest applies a merge patch to the version the caller read; if
// someone changed the request since, the error matches connectors.ErrConflict.
func (c *Client) UpdateServiceRequest(ctx context.Context, id string, version int64, patch ServiceRequestPatch) (ServiceRequest, error) {
	return invoke[ServiceRequest](ctx, c, connector.Request{Op: "PATCH /api/servicerequests/{id}", Params: []string{id},
		Header: connector.Headers("If-Match", ifMatch(version)), Body: patch, ContentType: mergePatch,
		Class: connectors.ClassPersonal})
}

// SetStatus changes a job's status (with an idempotency key, safe to retry; see
// [Client.CreateServiceRequest] for a lost answer).
func (c *Client) SetStatus(ctx context.Context, id string, u StatusUpdate, opts ...CallOption) (ServiceRequest, error) {
	key, err := idempotencyKey(opts)
	if err != nil {
		return ServiceRequest{}, err
	}
	return invoke[ServiceRequest](connector.Mutation(ctx, key), c, connector.Request{Op: "POST /api/servicerequests/{id}/status",
		Params: []string{id}, Header: connector.Headers("Idempotency-Key", key), Body: u,
		Class: connectors.ClassInternal, Summary: map[string]string{"status": string(u.Status)}})
}

// Technicians lists technicians (with a skill, when set).
func (c *Client) Technicians(ctx context.Context, skill string, o ListOptions) iter.Seq2[Technician, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]Technician, string, error) {
		p, err := c.technicianPage(ctx, skill, o, cursor)
		return p.Data, p.NextCursor, err
	})
}

func (c *Client) technicianPage(ctx context.Context, skill string, o ListOptions, cursor string) (TechnicianPage, error) {
	return invoke[TechnicianPage](ctx, c, connector.Request{Op: "GET /api/technicians", Class: connectors.ClassPersonal,
		Query: connector.Query("cursor", cursor, "limit", connector.Int(o.PageSize), "updated_since", connector.Time(o.UpdatedSince),
			"skill", skill)})
}

// Availability returns a technician's availability windows between from and to.
func (c *Client) Availability(ctx context.Context, technicianID string, from, to time.Time) ([]AvailabilityWindow, error) {
	return invoke[[]AvailabilityWindow](ctx, c, connector.Request{Op: "GET /api/technicians/{id}/availability",
		Params: []string{technicianID}, Query: connector.Query("from", connector.Time(from), "to", connector.Time(to)),
		Class: connectors.ClassInternal})
}

// Customers lists customers.
func (c *Client) Customers(ctx context.Context, o ListOptions) iter.Seq2[Customer, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]Customer, string, error) {
		p, err := c.customerPage(ctx, o, cursor)
		return p.Data, p.NextCursor, err
	})
}

func (c *Client) customerPage(ctx context.Context, o ListOptions, cursor string) (CustomerPage, error) {
	return invoke[CustomerPage](ctx, c, connector.Request{Op: "GET /api/customers", Class: connectors.ClassPersonal,
		Query: connector.Query("cursor", cursor, "limit", connector.Int(o.PageSize), "updated_since", connector.Time(o.UpdatedSince))})
}

// Customer returns one customer.
func (c *Client) Customer(ctx context.Context, id string) (Customer, error) {
	return invoke[Customer](ctx, c, connector.Request{Op: "GET /api/customers/{id}", Params: []string{id},
		Class: connectors.ClassPersonal})
}

// Communications lists a customer's communication log, newest first.
func (c *Client) Communications(ctx context.Context, customerID string) iter.Seq2[Communication, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]Communication, string, error) {
		p, err := invoke[CommunicationPage](ctx, c, connector.Request{Op: "GET /api/customers/{id}/communications",
			Params: []string{customerID}, Query: connector.Query("cursor", cursor), Class: connectors.ClassPersonal})
		return p.Data, p.NextCursor, err
	})
}

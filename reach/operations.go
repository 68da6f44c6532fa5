package reach

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
	"github.com/dispatchcenter/connectors/reach/internal/api"
)

// invoke runs one operation with its audit record (see [connector.Invoke]).
func invoke[T any](ctx context.Context, c *Client, op string, class connectors.DataClass, summary map[string]string,
	call connector.Call[T, Problem]) (T, error) {
	v, _, err := connector.Invoke(ctx, c.audit, op, class, summary, call, func(status int, p *Problem, hdr http.Header) error {
		return apiError(op, status, p, hdr)
	})
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

func (c *Client) serviceRequestPage(ctx context.Context, f ServiceRequestFilter, cursor string) (api.ServiceRequestPage, error) {
	return invoke(ctx, c, "GET /api/servicerequests", connectors.ClassPersonal, nil,
		func(ctx context.Context) (*http.Response, *api.ServiceRequestPage, *Problem, error) {
			r, err := c.gen.ListServiceRequestsWithResponse(ctx, &api.ListServiceRequestsParams{Cursor: connector.Opt(cursor),
				Limit: connector.Opt(f.PageSize), UpdatedSince: connector.Opt(f.UpdatedSince), Status: connector.Opt(f.Status), CustomerID: connector.Opt(f.CustomerID)})
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
		})
}

// ServiceRequest returns one service request.
func (c *Client) ServiceRequest(ctx context.Context, id string) (ServiceRequest, error) {
	return invoke(ctx, c, "GET /api/servicerequests/{id}", connectors.ClassPersonal, nil,
		func(ctx context.Context) (*http.Response, *ServiceRequest, *Problem, error) {
			r, err := c.gen.GetServiceRequestWithResponse(ctx, id)
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
		})
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
	return invoke(connector.Mutation(ctx, key), c, "POST /api/servicerequests", connectors.ClassPersonal, map[string]string{"priority": string(in.Priority)},
		func(ctx context.Context) (*http.Response, *ServiceRequest, *Problem, error) {
			r, err := c.gen.CreateServiceRequestWithResponse(ctx, &api.CreateServiceRequestParams{IdempotencyKey: key}, in)
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON201, r.ApplicationProblemJSONDefault, nil
		})
}

// UpdateServiceRequest applies a merge patch to the version the caller read; if
// someone changed the request since, the error matches connectors.ErrConflict.
func (c *Client) UpdateServiceRequest(ctx context.Context, id string, version int64, patch ServiceRequestPatch) (ServiceRequest, error) {
	return invoke(ctx, c, "PATCH /api/servicerequests/{id}", connectors.ClassPersonal, nil,
		func(ctx context.Context) (*http.Response, *ServiceRequest, *Problem, error) {
			r, err := c.gen.UpdateServiceRequestWithApplicationMergePatchPlusJSONBodyWithResponse(ctx, id,
				&api.UpdateServiceRequestParams{IfMatch: ifMatch(version)}, patch)
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
		})
}

// SetStatus changes a job's status (with an idempotency key, safe to retry; see
// [Client.CreateServiceRequest] for a lost answer).
func (c *Client) SetStatus(ctx context.Context, id string, u StatusUpdate, opts ...CallOption) (ServiceRequest, error) {
	key, err := idempotencyKey(opts)
	if err != nil {
		return ServiceRequest{}, err
	}
	return invoke(connector.Mutation(ctx, key), c, "POST /api/servicerequests/{id}/status", connectors.ClassInternal, map[string]string{"status": string(u.Status)},
		func(ctx context.Context) (*http.Response, *ServiceRequest, *Problem, error) {
			r, err := c.gen.UpdateServiceRequestStatusWithResponse(ctx, id, &api.UpdateServiceRequestStatusParams{IdempotencyKey: key}, u)
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
		})
}

// Technicians lists technicians (with a skill, when set).
func (c *Client) Technicians(ctx context.Context, skill string, o ListOptions) iter.Seq2[Technician, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]Technician, string, error) {
		p, err := invoke(ctx, c, "GET /api/technicians", connectors.ClassPersonal, nil, listTechSkill(c, o, cursor, skill))
		return p.Data, p.NextCursor, err
	})
}

// Availability returns a technician's availability windows between from and to.
func (c *Client) Availability(ctx context.Context, technicianID string, from, to time.Time) ([]AvailabilityWindow, error) {
	return invoke(ctx, c, "GET /api/technicians/{id}/availability", connectors.ClassInternal, nil,
		func(ctx context.Context) (*http.Response, *[]AvailabilityWindow, *Problem, error) {
			r, err := c.gen.GetTechnicianAvailabilityWithResponse(ctx, technicianID, &api.GetTechnicianAvailabilityParams{From: from, To: to})
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
		})
}

// Customers lists customers.
func (c *Client) Customers(ctx context.Context, o ListOptions) iter.Seq2[Customer, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]Customer, string, error) {
		p, err := invoke(ctx, c, "GET /api/customers", connectors.ClassPersonal, nil, listCust(c, o, cursor))
		return p.Data, p.NextCursor, err
	})
}

// Customer returns one customer.
func (c *Client) Customer(ctx context.Context, id string) (Customer, error) {
	return invoke(ctx, c, "GET /api/customers/{id}", connectors.ClassPersonal, nil,
		func(ctx context.Context) (*http.Response, *Customer, *Problem, error) {
			r, err := c.gen.GetCustomerWithResponse(ctx, id)
			if err != nil {
				return nil, nil, nil, err
			}
			return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
		})
}

// Communications lists a customer's communication log, newest first.
func (c *Client) Communications(ctx context.Context, customerID string) iter.Seq2[Communication, error] {
	return connector.Pages(ctx, func(ctx context.Context, cursor string) ([]Communication, string, error) {
		p, err := invoke(ctx, c, "GET /api/customers/{id}/communications", connectors.ClassPersonal, nil,
			func(ctx context.Context) (*http.Response, *api.CommunicationPage, *Problem, error) {
				r, err := c.gen.ListCommunicationsWithResponse(ctx, customerID, &api.ListCommunicationsParams{Cursor: connector.Opt(cursor)})
				if err != nil {
					return nil, nil, nil, err
				}
				return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
			})
		return p.Data, p.NextCursor, err
	})
}

func listTech(c *Client, o ListOptions, cursor string) func(context.Context) (*http.Response, *api.TechnicianPage, *Problem, error) {
	return listTechSkill(c, o, cursor, "")
}

func listTechSkill(c *Client, o ListOptions, cursor, skill string) func(context.Context) (*http.Response, *api.TechnicianPage, *Problem, error) {
	return func(ctx context.Context) (*http.Response, *api.TechnicianPage, *Problem, error) {
		r, err := c.gen.ListTechniciansWithResponse(ctx, &api.ListTechniciansParams{Cursor: connector.Opt(cursor), Limit: connector.Opt(o.PageSize),
			UpdatedSince: connector.Opt(o.UpdatedSince), Skill: connector.Opt(skill)})
		if err != nil {
			return nil, nil, nil, err
		}
		return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
	}
}

func listCust(c *Client, o ListOptions, cursor string) func(context.Context) (*http.Response, *api.CustomerPage, *Problem, error) {
	return func(ctx context.Context) (*http.Response, *api.CustomerPage, *Problem, error) {
		r, err := c.gen.ListCustomersWithResponse(ctx, &api.ListCustomersParams{Cursor: connector.Opt(cursor), Limit: connector.Opt(o.PageSize), UpdatedSince: connector.Opt(o.UpdatedSince)})
		if err != nil {
			return nil, nil, nil, err
		}
		return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
	}
}

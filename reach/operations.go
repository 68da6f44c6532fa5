package reach

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/reach/internal/api"
	"github.com/dispatchcenter/connectors/resilience"
)

// invoke runs one operation with its audit record: call returns the HTTP response,
// the decoded success value (nil on failure) and the problem body, if any.
func invoke[T any](ctx context.Context, c *Client, op string, class connectors.DataClass, summary map[string]string,
	call func(ctx context.Context) (*http.Response, *T, *Problem, error)) (T, error) {
	var zero T
	done := c.audit.Start(ctx, op, class, summary)
	attempts := 0
	resp, v, p, err := call(resilience.WithAttemptCount(resilience.WithRoute(ctx, op), &attempts))
	status := 0
	var hdr http.Header
	if resp != nil {
		status, hdr = resp.StatusCode, resp.Header
	}
	if err == nil && v == nil {
		err = apiError(op, status, p, hdr, nil)
	} else if err != nil {
		err = apiError(op, 0, nil, nil, err)
	}
	if err != nil {
		done(status, attempts, err)
		return zero, err
	}
	done(status, attempts, nil)
	return *v, nil
}

// ListOptions filter and page a list.
type ListOptions struct {
	// UpdatedSince keeps records changed at or after this time.
	UpdatedSince time.Time
	// PageSize is the page size (default 100, at most 500).
	PageSize int
}

// pages follows next_cursor from page to page, yielding every item.
func pages[T any](ctx context.Context, fetch func(ctx context.Context, cursor string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cursor := ""
		for {
			items, next, err := fetch(ctx, cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			cursor = next
		}
	}
}

// ServiceRequestFilter narrows [Client.ServiceRequests].
type ServiceRequestFilter struct {
	ListOptions
	Status     ServiceRequestStatus
	CustomerID string
}

// ServiceRequests lists service requests, oldest change first, page by page.
func (c *Client) ServiceRequests(ctx context.Context, f ServiceRequestFilter) iter.Seq2[ServiceRequest, error] {
	return pages(ctx, func(ctx context.Context, cursor string) ([]ServiceRequest, string, error) {
		p, err := c.serviceRequestPage(ctx, f, cursor)
		return p.Data, p.NextCursor, err
	})
}

func (c *Client) serviceRequestPage(ctx context.Context, f ServiceRequestFilter, cursor string) (api.ServiceRequestPage, error) {
	return invoke(ctx, c, "GET /api/servicerequests", connectors.ClassPersonal, nil,
		func(ctx context.Context) (*http.Response, *api.ServiceRequestPage, *Problem, error) {
			r, err := c.gen.ListServiceRequestsWithResponse(ctx, &api.ListServiceRequestsParams{Cursor: opt(cursor),
				Limit: opt(f.PageSize), UpdatedSince: opt(f.UpdatedSince), Status: opt(f.Status), CustomerID: opt(f.CustomerID)})
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

// CreateServiceRequest opens a job in Reach. One idempotency key is made per call and
// sent with every retry, so a retried create never opens the job twice.
func (c *Client) CreateServiceRequest(ctx context.Context, in NewServiceRequest) (ServiceRequest, error) {
	key := newKey()
	return invoke(ctx, c, "POST /api/servicerequests", connectors.ClassPersonal, map[string]string{"priority": string(in.Priority)},
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

// SetStatus changes a job's status (with an idempotency key, safe to retry).
func (c *Client) SetStatus(ctx context.Context, id string, u StatusUpdate) (ServiceRequest, error) {
	key := newKey()
	return invoke(ctx, c, "POST /api/servicerequests/{id}/status", connectors.ClassInternal, map[string]string{"status": string(u.Status)},
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
	return pages(ctx, func(ctx context.Context, cursor string) ([]Technician, string, error) {
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
	return pages(ctx, func(ctx context.Context, cursor string) ([]Customer, string, error) {
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
	return pages(ctx, func(ctx context.Context, cursor string) ([]Communication, string, error) {
		p, err := invoke(ctx, c, "GET /api/customers/{id}/communications", connectors.ClassPersonal, nil,
			func(ctx context.Context) (*http.Response, *api.CommunicationPage, *Problem, error) {
				r, err := c.gen.ListCommunicationsWithResponse(ctx, customerID, &api.ListCommunicationsParams{Cursor: opt(cursor)})
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
		r, err := c.gen.ListTechniciansWithResponse(ctx, &api.ListTechniciansParams{Cursor: opt(cursor), Limit: opt(o.PageSize),
			UpdatedSince: opt(o.UpdatedSince), Skill: opt(skill)})
		if err != nil {
			return nil, nil, nil, err
		}
		return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
	}
}

func listCust(c *Client, o ListOptions, cursor string) func(context.Context) (*http.Response, *api.CustomerPage, *Problem, error) {
	return func(ctx context.Context) (*http.Response, *api.CustomerPage, *Problem, error) {
		r, err := c.gen.ListCustomersWithResponse(ctx, &api.ListCustomersParams{Cursor: opt(cursor), Limit: opt(o.PageSize), UpdatedSince: opt(o.UpdatedSince)})
		if err != nil {
			return nil, nil, nil, err
		}
		return r.HTTPResponse, r.JSON200, r.ApplicationProblemJSONDefault, nil
	}
}

// opt returns nil for a zero value, so an unset query parameter is not sent.
func opt[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

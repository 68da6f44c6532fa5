package reach

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/assembly/connector"
)

// customerFields is the allowlist of customer data that may leave for Reach: the
// integration design's "customer information (minimal)".
var customerFields = map[string]bool{"external_id": true, "name": true, "phone": true, "email": true, "service_address": true}

// MinimizeCustomer keeps only the allowlisted fields of a customer record (in the
// JSON field names of [NewCustomer]) and reports what it dropped, sorted.
func MinimizeCustomer(record map[string]any) (NewCustomer, []string) {
	var out NewCustomer
	var dropped []string
	for k, v := range record {
		if !customerFields[k] {
			dropped = append(dropped, k)
			continue
		}
		switch k {
		case "external_id":
			out.ExternalID, _ = v.(string)
		case "name":
			out.Name, _ = v.(string)
		case "phone":
			out.Phone, _ = v.(string)
		case "email":
			out.Email, _ = v.(string)
		case "service_address":
			switch a := v.(type) {
			case Address:
				out.ServiceAddress = a
			case map[string]any:
				out.ServiceAddress = Address{Line1: str(a["line1"]), Line2: str(a["line2"]), City: str(a["city"]),
					Region: str(a["region"]), PostalCode: str(a["postal_code"]), Country: str(a["country"])}
			}
		}
	}
	sort.Strings(dropped)
	return out, dropped
}

func str(v any) string { s, _ := v.(string); return s }

// CreateCustomer shares a customer with Reach. Only the allowlisted fields leave
// (see [MinimizeCustomer]); the audit record counts and names what was dropped.
func (c *Client) CreateCustomer(ctx context.Context, record map[string]any, opts ...CallOption) (Customer, error) {
	in, dropped := MinimizeCustomer(record)
	key, err := idempotencyKey(opts)
	if err != nil {
		return Customer{}, err
	}
	summary := map[string]string{"dropped_fields": strconv.Itoa(len(dropped))}
	if len(dropped) > 0 {
		summary["dropped"] = strings.Join(dropped, ",")
	}
	return invoke[Customer](connector.Mutation(ctx, key), c, connector.Request{Op: "POST /api/customers",
		Header: connector.Headers("Idempotency-Key", key), Body: in, Class: connectors.ClassPersonal, Summary: summary})
}

// UpdateCustomer applies a merge patch to the version the caller read (a stale
// version gives an error matching connectors.ErrConflict).
func (c *Client) UpdateCustomer(ctx context.Context, id string, version int64, patch CustomerPatch) (Customer, error) {
	return invoke[Customer](ctx, c, connector.Request{Op: "PATCH /api/customers/{id}", Params: []string{id},
		Header: connector.Headers("If-Match", ifMatch(version)), Body: patch, ContentType: mergePatch,
		Class: connectors.ClassPersonal})
}

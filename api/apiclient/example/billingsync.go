// Package example is the billing system of docs/billing-sync.md: its nightly
// sync, verbatim, so that the contract test runs it against the service.
package example

import (
	"context"
	"fmt"

	"github.com/applinks/applinks/api/apiclient"
)

// Customer is a customer of the billing system, with the contact who owns
// the account.
type Customer struct {
	ID, Name, Email, OwnerEmail, OwnerName string
}

// Account is a hosting account the billing system sold.
type Account struct {
	ID, CustomerID   string
	ServerID         int // the applinks id of the WHM server
	Username, Domain string
	Status           apiclient.RestServiceBatchItemStatus
}

// batchSize is the most items one batch request may carry.
const batchSize = 1000

// Report counts what a sync did and lists the items refused, by external id.
type Report struct {
	Created, Updated, Unchanged int
	Refused                     map[string]string
}

// Sync upserts every customer, then every account (which name their
// customer by its id), 1000 at a time. Each request applies all its valid
// items or none: a refused item is reported and the others are written.
func Sync(ctx context.Context, api *apiclient.ClientWithResponses, customers []Customer, accounts []Account) (Report, error) {
	r := Report{Refused: map[string]string{}}
	for start := 0; start < len(customers); start += batchSize {
		var items []apiclient.RestClientBatchItem
		for _, c := range customers[start:min(start+batchSize, len(customers))] {
			items = append(items, apiclient.RestClientBatchItem{ExternalId: c.ID, Name: c.Name, Email: c.Email,
				// Used only to create the client; no password: the owner
				// signs in by single sign-on from the billing system.
				Owner: &apiclient.RestBatchOwnerInput{Email: c.OwnerEmail, Name: c.OwnerName}})
		}
		resp, err := api.PutApiV1ClientsBatchWithResponse(ctx, items)
		if err != nil {
			return r, err
		}
		if resp.JSON200 == nil || !resp.JSON200.Applied {
			return r, fmt.Errorf("clients batch: HTTP %d: %s", resp.StatusCode(), resp.Body)
		}
		r.add(resp.JSON200)
	}
	for start := 0; start < len(accounts); start += batchSize {
		var items []apiclient.RestServiceBatchItem
		for _, a := range accounts[start:min(start+batchSize, len(accounts))] {
			items = append(items, apiclient.RestServiceBatchItem{ExternalId: a.ID, ClientExternalId: &a.CustomerID,
				ServerId: a.ServerID, Username: &a.Username, Domain: &a.Domain, Status: &a.Status})
		}
		resp, err := api.PutApiV1ServicesBatchWithResponse(ctx, items)
		if err != nil {
			return r, err
		}
		if resp.JSON200 == nil || !resp.JSON200.Applied {
			return r, fmt.Errorf("services batch: HTTP %d: %s", resp.StatusCode(), resp.Body)
		}
		r.add(resp.JSON200)
	}
	return r, nil
}

// add counts one batch's results.
func (r *Report) add(res *apiclient.RestBatchResult) {
	r.Created += res.Created
	r.Updated += res.Updated
	r.Unchanged += res.Unchanged
	for _, it := range res.Items {
		if it.Result == apiclient.RestBatchItemResultResultError && it.Error != nil {
			r.Refused[it.ExternalId] = it.Error.Field + ": " + it.Error.Message
		}
	}
}

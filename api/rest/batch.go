package rest

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// batchClients upserts clients by external_id.
//
//	@Summary		Upsert clients in bulk
//	@Description	Takes a JSON array of up to 1000 clients, each addressed by its external_id (required, unique in the request): a client not known yet is created with its owner (the user with the owner's e-mail, or a new one; without a password a new user signs in only by single sign-on), a known one gets the fields sent (status and allow_sso left out stay; the owner of a known client does not change). Each item answers its own result, in order: created, updated, unchanged or error with the field to fix (items[i].field); one bad item does not stop the others. All the valid items are written in one transaction: applied says they were. A body that is not a JSON array or holds over 1000 items is a 400 and writes nothing. Passwords cost time (bcrypt): leave them out for owners who arrive by single sign-on.
//	@Tags			clients
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		[]ClientBatchItem	true	"Up to 1000 clients"
//	@Success		200		{object}	BatchResult
//	@Failure		400		{object}	ErrorBody
//	@Router			/api/v1/clients:batch [put]
func (h *clientsAPI) batchClients(c echo.Context) error {
	items, res, err := decodeBatch(c, ClientBatchItem.domain, (*links.ClientBatchItem).Validate)
	if err != nil {
		return err
	}
	if err := h.store.BatchClients(c.Request().Context(), items, res); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toBatchResult(*res))
}

// batchServices upserts services by external_id.
//
//	@Summary		Upsert services in bulk
//	@Description	Takes a JSON array of up to 1000 services, each addressed by its external_id (required, unique in the request), its client by client_external_id (or client_id) and its server by server_id. Username and domain are the account's whole state; status left out stays (Pending for a new service). A new service gets its link credentials; a changed one is followed as PATCH /services/{id} follows it (a move or a rename removes the links from the old account). Each item answers its own result, in order: created, updated, unchanged or error with the field to fix (items[i].field), e.g. an unknown server or a username taken on that server; one bad item does not stop the others. All the valid items are written in one transaction: applied says they were. The links follow after the coalescing window APPLINKS_LIFECYCLE_DELAY when the application is enabled. A body that is not a JSON array or holds over 1000 items is a 400 and writes nothing.
//	@Tags			services
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		[]ServiceBatchItem	true	"Up to 1000 services"
//	@Success		200		{object}	BatchResult
//	@Failure		400		{object}	ErrorBody
//	@Router			/api/v1/services:batch [put]
func (h *servicesAPI) batchServices(c echo.Context) error {
	items, res, err := decodeBatch(c, ServiceBatchItem.domain, (*links.ServiceBatchItem).Validate)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	modules, err := h.store.BatchServices(ctx, items, res)
	if err != nil {
		return err
	}
	// The lifecycle hook hears of each application whose accounts changed
	// (the locations themselves are already written).
	for _, m := range modules {
		h.lifecycle.ServiceChanged(ctx, nil, &links.Service{Module: m})
	}
	return c.JSON(http.StatusOK, toBatchResult(*res))
}

// decodeBatch reads a batch body: a JSON array of at most
// links.MaxBatchItems items of the wire type W, each converted to its
// domain item T. A request-level problem is an error; an item that does not
// decode or validate gets its error result, and the item stays zero.
func decodeBatch[W, T any](c echo.Context, domain func(W) T, validate func(*T) error) ([]T, *links.BatchResult, error) {
	var raw json.RawMessage
	if err := bindJSON(c, &raw); err != nil {
		return nil, nil, err
	}
	var elems []json.RawMessage
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) || json.Unmarshal(raw, &elems) != nil {
		return nil, nil, links.Errorf(links.EINVALID, "The request body must be a JSON array of at most %d items.", links.MaxBatchItems)
	}
	if len(elems) > links.MaxBatchItems {
		return nil, nil, links.Errorf(links.EINVALID, "The request holds %d items: send at most %d per request.", len(elems), links.MaxBatchItems)
	}
	items := make([]T, len(elems))
	res := &links.BatchResult{Items: make([]links.BatchItemResult, len(elems))}
	for i, e := range elems {
		var w W
		err := decodeItem(e, &w)
		if err == nil {
			items[i] = domain(w)
			err = validate(&items[i])
		}
		if err != nil {
			var id struct {
				ExternalID any `json:"external_id"`
			}
			_ = json.Unmarshal(e, &id)
			ext, _ := id.ExternalID.(string)
			res.Items[i] = links.ItemError(i, ext, err)
			var zero T
			items[i] = zero
		}
	}
	return items, res, nil
}

// decodeItem decodes one item strictly: an object, without unknown fields,
// type errors naming the field.
func decodeItem(e json.RawMessage, v any) error {
	if !bytes.HasPrefix(bytes.TrimSpace(e), []byte("{")) {
		return links.Errorf(links.EINVALID, "Each item must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(e))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	return nil
}

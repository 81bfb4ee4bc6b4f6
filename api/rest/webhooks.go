package rest

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/webhooks"
)

// Webhooks is what the webhook endpoints need (api/webhooks).
type Webhooks interface {
	Create(ctx context.Context, in links.WebhookInput) (links.NewWebhook, error)
	Update(ctx context.Context, id int64, p links.WebhookPatch) (links.Webhook, error)
	List(ctx context.Context) ([]links.Webhook, error)
	Get(ctx context.Context, id int64) (links.Webhook, error)
	Delete(ctx context.Context, id int64) error
	Deliveries(ctx context.Context, id int64, p links.Page) ([]links.WebhookDelivery, int64, error)
	Redeliver(ctx context.Context, id, deliveryID int64) (links.WebhookDelivery, error)
	Test(ctx context.Context, id int64) (links.WebhookDelivery, error)
}

var _ Webhooks = (*webhooks.Service)(nil)

// webhooksAPI serves the webhook subscriptions and their deliveries.
type webhooksAPI struct {
	webhooks Webhooks
	logger   *slog.Logger
}

// listWebhooks lists the subscriptions.
//
//	@Summary		List webhooks
//	@Description	Every subscription, paused ones included. Secrets are never shown again. Needs manage_webhooks.
//	@Tags			webhooks
//	@Produce		json
//	@Security		BearerAuth
//	@Success		200	{array}		WebhookAnswer
//	@Failure		403	{object}	ErrorBody
//	@Router			/api/v1/webhooks [get]
func (h *webhooksAPI) listWebhooks(c echo.Context) error {
	items, err := h.webhooks.List(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWebhooks(items))
}

// createWebhook creates a subscription.
//
//	@Summary		Create a webhook
//	@Description	The URL must be https (plain http only to a loopback IP, 127.0.0.1 or [::1], for tests and the demo); events are among sso.redeemed, sso.refused, operation.finished, account.failed, drift.found, server.unsupported. Answers the signing secret (whsec_...) only this once; it is stored sealed. Audited. See docs/webhooks.md.
//	@Tags			webhooks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		WebhookInput	true	"The subscription"
//	@Success		201		{object}	NewWebhookAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Router			/api/v1/webhooks [post]
func (h *webhooksAPI) createWebhook(c echo.Context) error {
	var body WebhookInput
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	w, err := h.webhooks.Create(c.Request().Context(), body.domain())
	if err != nil {
		return err
	}
	h.logger.Info("webhook created", "webhook_id", w.ID, "admin_id", currentAdmin(c).ID)
	return c.JSON(http.StatusCreated, toNewWebhook(w))
}

// getWebhook returns one subscription.
//
//	@Summary		Get a webhook
//	@Tags			webhooks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		int	true	"webhook id"
//	@Success		200	{object}	WebhookAnswer
//	@Failure		403	{object}	ErrorBody
//	@Failure		404	{object}	ErrorBody
//	@Router			/api/v1/webhooks/{id} [get]
func (h *webhooksAPI) getWebhook(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := h.webhooks.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWebhook(w))
}

// updateWebhook changes a subscription.
//
//	@Summary		Update a webhook
//	@Description	Absent fields stay. active false pauses it: events that happen while paused are not queued for it. The secret cannot change (delete and create again). Audited.
//	@Tags			webhooks
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		int					true	"webhook id"
//	@Param			body	body		WebhookPatch	true	"The changes"
//	@Success		200		{object}	WebhookAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		403		{object}	ErrorBody
//	@Failure		404		{object}	ErrorBody
//	@Router			/api/v1/webhooks/{id} [patch]
func (h *webhooksAPI) updateWebhook(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body WebhookPatch
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	w, err := h.webhooks.Update(c.Request().Context(), id, body.domain())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toWebhook(w))
}

// deleteWebhook deletes a subscription.
//
//	@Summary		Delete a webhook
//	@Description	Deletes the subscription with its delivery log; pending deliveries are not sent. Audited.
//	@Tags			webhooks
//	@Security		BearerAuth
//	@Param			id	path	int	true	"webhook id"
//	@Success		204
//	@Failure		403	{object}	ErrorBody
//	@Failure		404	{object}	ErrorBody
//	@Router			/api/v1/webhooks/{id} [delete]
func (h *webhooksAPI) deleteWebhook(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.webhooks.Delete(c.Request().Context(), id); err != nil {
		return err
	}
	h.logger.Info("webhook deleted", "webhook_id", id, "admin_id", currentAdmin(c).ID)
	return c.NoContent(http.StatusNoContent)
}

// testWebhook sends a test message now.
//
//	@Summary		Send a test message
//	@Description	POSTs a signed webhook.test message to the subscription at once (paused or not), once, without retries, and answers the logged delivery: state delivered or failed, status code, duration and a short error. Takes at most the 10-second attempt timeout.
//	@Tags			webhooks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path		int	true	"webhook id"
//	@Success		200	{object}	WebhookDelivery
//	@Failure		403	{object}	ErrorBody
//	@Failure		404	{object}	ErrorBody
//	@Router			/api/v1/webhooks/{id}/test [post]
func (h *webhooksAPI) testWebhook(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.webhooks.Test(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toDelivery(d))
}

// listWebhookDeliveries is the delivery log of a subscription.
//
//	@Summary		List a webhook's deliveries
//	@Description	Newest first: state (pending, delivered, failed), attempts, and the latest attempt's status code, duration and short error. Finished deliveries are purged after the log retention.
//	@Tags			webhooks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id			path		int	true	"webhook id"
//	@Param			page		query		int	false	"page (from 1)"
//	@Param			per_page	query		int	false	"rows per page (default 50)"
//	@Success		200			{object}	List[WebhookDelivery]
//	@Failure		400			{object}	ErrorBody
//	@Failure		403			{object}	ErrorBody
//	@Failure		404			{object}	ErrorBody
//	@Router			/api/v1/webhooks/{id}/deliveries [get]
func (h *webhooksAPI) listWebhookDeliveries(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	items, total, err := h.webhooks.Deliveries(c.Request().Context(), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(toDeliveries(items), total, p))
}

// redeliverWebhook sends a delivery again.
//
//	@Summary		Redeliver a message
//	@Description	Queues the message again as a new delivery with the same webhook-id (receivers that already have it drop it) and the same body, signed afresh; it is sent within seconds. Audited (action redeliver).
//	@Tags			webhooks
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id			path		int	true	"webhook id"
//	@Param			deliveryId	path		int	true	"delivery id"
//	@Success		202			{object}	WebhookDelivery
//	@Failure		403			{object}	ErrorBody
//	@Failure		404			{object}	ErrorBody
//	@Router			/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver [post]
func (h *webhooksAPI) redeliverWebhook(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	did, err := pathID(c, "deliveryId")
	if err != nil {
		return err
	}
	d, err := h.webhooks.Redeliver(c.Request().Context(), id, did)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toDelivery(d))
}

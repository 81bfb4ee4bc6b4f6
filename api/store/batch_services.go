package store

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// location is an account's place: a server and a username.
type location struct {
	server   int64
	username string
}

// serviceBatch is what a services batch reads up front, in its transaction,
// and the account places as the items claim and leave them, in item order.
type serviceBatch struct {
	existing     map[string]serviceRow // by external id
	clientsByExt map[string]int64
	clientIDs    map[int64]bool
	servers      map[int64]serverRow
	// taken maps each place to its service: an id, or -(i+1) for the new
	// service of item i.
	taken   map[location]int64
	modules map[string]bool
}

// serviceUpdate is a planned change of an existing service.
type serviceUpdate struct {
	index         int
	before, after links.Service
	cols          map[string]any
}

// BatchServices upserts services by external id, all in one transaction.
// res holds one result per item: the items already in error (refused by
// validation) stay so, the others are filled in. Each service is written
// with its link_states row and its server's generation bump as
// CreateService and UpdateService write them. It returns the modules whose
// services changed.
func (s *Store) BatchServices(ctx context.Context, items []links.ServiceBatchItem, res *links.BatchResult) ([]string, error) {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ExternalID
	}
	markDuplicates(res, ids)
	b := &serviceBatch{}
	initial := slices.Clone(res.Items)
	err := s.txRetry(ctx, func(tx *gorm.DB) error {
		copy(res.Items, initial) // a retried attempt starts over
		var err error
		if b, err = loadServiceBatch(tx, items, res); err != nil {
			return err
		}
		var updates []serviceUpdate
		var creates []int
		var rows []serviceRow
		for i, it := range items {
			if !pending(res, i) {
				continue
			}
			row, up, err := b.plan(i, it)
			switch {
			case err != nil:
				res.Items[i] = links.ItemError(i, it.ExternalID, err)
			case up == nil && row == nil:
				done(res, i, it.ExternalID, links.BatchUnchanged, b.existing[it.ExternalID].ID)
			case up != nil:
				updates = append(updates, *up)
			default:
				creates, rows = append(creates, i), append(rows, *row)
			}
		}
		// Updates first: a place an update leaves may be taken by a new
		// service of the same batch.
		for _, up := range updates {
			if err := s.applyServiceUpdate(ctx, tx, up); err != nil {
				return err
			}
			done(res, up.index, items[up.index].ExternalID, links.BatchUpdated, up.after.ID)
		}
		return s.createBatchServices(ctx, tx, b, creates, rows, res)
	})
	if err := finish(res, translate(err, "services")); err != nil {
		return nil, err
	}
	mods := make([]string, 0, len(b.modules))
	for m := range b.modules {
		mods = append(mods, m)
	}
	slices.Sort(mods)
	return mods, nil
}

// loadServiceBatch reads, in one query per table, the existing services,
// clients, servers and taken places the pending items name.
func loadServiceBatch(tx *gorm.DB, items []links.ServiceBatchItem, res *links.BatchResult) (*serviceBatch, error) {
	b := &serviceBatch{existing: map[string]serviceRow{}, clientIDs: map[int64]bool{}, servers: map[int64]serverRow{},
		taken: map[location]int64{}, modules: map[string]bool{}}
	var exts, clientExts, usernames []string
	var clientIDs, serverIDs []int64
	for i, it := range items {
		if pending(res, i) {
			exts, usernames = append(exts, it.ExternalID), append(usernames, it.Username)
			clientExts, clientIDs = append(clientExts, it.ClientExternalID), append(clientIDs, it.ClientID)
			serverIDs = append(serverIDs, it.ServerID)
		}
	}
	var rows []serviceRow
	for chunk := range chunks(exts, 500) {
		if err := tx.Where("external_id IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, err
		}
		var err error
		if rows, err = lockFound(tx, rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.ExternalID == nil { // its external id removed meanwhile
				continue
			}
			b.existing[*r.ExternalID] = r
			serverIDs = append(serverIDs, r.ServerID)
			if r.Username != nil {
				usernames = append(usernames, *r.Username)
			}
		}
	}
	var err error
	if b.clientsByExt, err = idsByExternalID(tx, &clientRow{}, clientExts); err != nil {
		return nil, err
	}
	var found []int64
	var servers []serverRow
	for chunk := range chunks(clientIDs, 500) {
		if err := tx.Model(&clientRow{}).Where("id IN ?", chunk).Pluck("id", &found).Error; err != nil {
			return nil, err
		}
		for _, id := range found {
			b.clientIDs[id] = true
		}
	}
	for chunk := range chunks(serverIDs, 500) {
		if err := tx.Where("id IN ?", chunk).Find(&servers).Error; err != nil {
			return nil, err
		}
		for _, srv := range servers {
			b.servers[srv.ID] = srv
		}
	}
	return b, b.loadTaken(tx, usernames)
}

// loadTaken reads the services that hold any of the usernames, on any
// server.
func (b *serviceBatch) loadTaken(tx *gorm.DB, usernames []string) error {
	var rows []serviceRow
	for chunk := range chunks(usernames, 500) {
		if err := tx.Select("id", "server_id", "username").Where("username IN ?", chunk).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			b.taken[location{r.ServerID, *r.Username}] = r.ID
		}
	}
	return nil
}

// clientOf resolves the item's client.
func (b *serviceBatch) clientOf(it links.ServiceBatchItem) (int64, error) {
	if it.ClientExternalID != "" {
		if id, ok := b.clientsByExt[it.ClientExternalID]; ok {
			return id, nil
		}
		return 0, links.FieldError("client_external_id", "No client has the external_id %q: create it first (PUT /api/v1/clients:batch).", it.ClientExternalID)
	}
	if !b.clientIDs[it.ClientID] {
		return 0, links.FieldError("client_id", "Client %d does not exist.", it.ClientID)
	}
	return it.ClientID, nil
}

// serverFor checks, as serverForService does, that a service may be placed
// on the server.
func (b *serviceBatch) serverFor(id int64) (serverRow, error) {
	srv, ok := b.servers[id]
	if !ok {
		return srv, links.FieldError("server_id", "Server %d does not exist.", id)
	}
	if !srv.Active {
		return srv, links.FieldError("server_id", "Server %d (%s) is inactive: activate it or choose an active server.", id, srv.Name)
	}
	return srv, nil
}

// claim takes the place to for the service self (an id, or -(i+1) for a
// new one) and leaves from; a place another service holds is a conflict.
func (b *serviceBatch) claim(self int64, from, to location) error {
	if holder, ok := b.taken[to]; ok && to.username != "" && holder != self {
		return &links.Error{Code: links.ECONFLICT, Field: "username",
			Message: fmt.Sprintf("Server %d already has an account named %q.", to.server, to.username)}
	}
	if from.username != "" && b.taken[from] == self {
		delete(b.taken, from)
	}
	if to.username != "" {
		b.taken[to] = self
	}
	return nil
}

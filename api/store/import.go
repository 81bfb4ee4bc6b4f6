package store

import (
	"context"
	"errors"
	"maps"
	"strings"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
)

// Import of a server's accounts (POST /servers/{id}/import). A dry run
// (PreviewImport) tells what each account would become and writes nothing;
// a real run is a job (import_jobs.go) that applies the accounts a chunk
// at a time, each chunk in its own transaction. Nothing is ever
// duplicated, because each account is first looked up by its place
// (server and username: an account already imported is only updated) and
// a new client is found by its owner's e-mail before one is created.

// importChunk is how many accounts one transaction of a real run applies.
const importChunk = 500

// importPlan is what one chunk reads up front: the services already on the
// server by username, and the users and owned clients by e-mail.
type importPlan struct {
	server   serverRow
	services map[string]serviceRow // by username
	users    map[string]int64      // user id by lower-case e-mail
	clients  map[string]int64      // owned client id by lower-case owner e-mail
	dryRun   bool
}

// PreviewImport tells what importing accts, the accounts listed by the
// server serverID, would do, and writes nothing: the counts and the first
// rows of each kind. The server must exist and be active.
func (s *Store) PreviewImport(ctx context.Context, serverID int64, accts []links.PanelAccount) (links.ImportResult, error) {
	res := links.ImportResult{DryRun: true, Rows: []links.ImportRow{}}
	// planned holds the e-mails that earlier chunks would have given a new
	// client (a real run finds them in the database).
	planned := map[string]int64{}
	db := s.db.WithContext(ctx)
	for chunk := range chunks(accts, importChunk) {
		p, err := loadImportPlan(db, serverID, chunk, true)
		if err != nil {
			return res, translate(err, "services")
		}
		maps.Copy(p.clients, planned)
		rows, err := s.importChunk(ctx, db, p, chunk)
		if err != nil {
			return res, translate(err, "services")
		}
		for _, r := range rows {
			if r.Kind == links.ImportNewClient {
				planned[strings.ToLower(r.Email)] = 0
			}
			res.Add(r)
		}
	}
	return res, nil
}

// loadImportPlan reads, in tx, the server and what the chunk's accounts
// name.
func loadImportPlan(tx *gorm.DB, serverID int64, chunk []links.PanelAccount, dryRun bool) (*importPlan, error) {
	srv, err := serverForService(tx, serverID)
	if err != nil {
		return nil, err
	}
	p := &importPlan{server: srv, services: map[string]serviceRow{}, users: map[string]int64{}, clients: map[string]int64{}, dryRun: dryRun}
	var usernames, emails []string
	for _, a := range chunk {
		usernames = append(usernames, a.Username)
		if a.Email != "" {
			emails = append(emails, strings.ToLower(a.Email))
		}
	}
	var services []serviceRow
	if err := tx.Where("server_id = ? AND username IN ?", srv.ID, usernames).Find(&services).Error; err != nil {
		return nil, err
	}
	if !dryRun {
		if services, err = lockFound(tx, services); err != nil {
			return nil, err
		}
	}
	for _, r := range services {
		if r.ServerID == srv.ID && r.Username != nil { // not moved or renamed meanwhile
			p.services[*r.Username] = r
		}
	}
	if len(emails) == 0 {
		return p, nil
	}
	var users []userRow
	if err := tx.Select("id", "email").Where("email IN ?", emails).Find(&users).Error; err != nil {
		return nil, err
	}
	byID := map[int64]string{}
	for _, u := range users {
		p.users[u.Email], byID[u.ID] = u.ID, u.Email
	}
	var owned []clientRow
	if len(byID) > 0 {
		ids := make([]int64, 0, len(byID))
		for id := range byID {
			ids = append(ids, id)
		}
		// The oldest client of an owner takes the new services.
		if err := tx.Select("id", "owner_user_id").Where("owner_user_id IN ?", ids).Order("id DESC").Find(&owned).Error; err != nil {
			return nil, err
		}
	}
	for _, c := range owned {
		p.clients[byID[c.OwnerUserID]] = c.ID
	}
	return p, nil
}

// importChunk decides, and unless a dry run applies, each account of the
// chunk, in tx; the server is bumped once when a service was created.
func (s *Store) importChunk(ctx context.Context, tx *gorm.DB, p *importPlan, chunk []links.PanelAccount) ([]links.ImportRow, error) {
	rows := make([]links.ImportRow, 0, len(chunk))
	bump := false
	for _, a := range chunk {
		row, err := s.importAccount(ctx, tx, p, a)
		if err != nil {
			return nil, err
		}
		if !p.dryRun && (row.Kind == links.ImportNewClient || row.Kind == links.ImportNewService) {
			bump = true
		}
		rows = append(rows, row)
	}
	if bump {
		if err := s.bumpLater(tx, p.server.ID); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// importAccount decides what one account does and, unless a dry run,
// writes it.
func (s *Store) importAccount(ctx context.Context, tx *gorm.DB, p *importPlan, a links.PanelAccount) (links.ImportRow, error) {
	row := links.ImportRow{Username: a.Username, Domain: a.Domain, Email: a.Email, Suspended: a.Suspended}
	status := links.ServiceActive
	if a.Suspended {
		status = links.ServiceSuspended
	}
	if err := links.ValidateServiceFields(&a.Username, &a.Domain, &status); err != nil {
		var le *links.Error
		errors.As(err, &le)
		return conflict(row, le.Message), nil
	}
	if old, ok := p.services[a.Username]; ok {
		return s.importKnown(ctx, tx, p, row, old, status)
	}
	email := strings.ToLower(a.Email)
	if email == "" {
		return conflict(row, "The account has no contact e-mail: set one in WHM, or add the service by hand."), nil
	}
	if err := links.ValidateEmail("email", email); err != nil {
		return conflict(row, "The account's contact e-mail is not a valid address."), nil
	}
	svc := serviceRow{ServerID: p.server.ID, Username: nullable(a.Username), Domain: a.Domain, Status: status}
	if clientID, ok := p.clients[email]; ok {
		row.Kind, row.ClientID = links.ImportNewService, clientID
	} else if _, ok := p.users[email]; ok {
		return conflict(row, "The contact e-mail belongs to a user who owns no client: add the service by hand under the right client."), nil
	} else {
		row.Kind = links.ImportNewClient
		if p.dryRun {
			p.clients[email] = 0 // the chunk's next accounts of this e-mail join it
			return row, nil
		}
		id, err := s.createImportClient(ctx, tx, email, a)
		if err != nil {
			return row, err
		}
		row.ClientID, p.clients[email] = id, id
	}
	if p.dryRun {
		return row, nil
	}
	svc.ClientID = row.ClientID
	if err := s.insertService(ctx, tx, &svc, p.server.Module); err != nil {
		return row, err
	}
	p.services[a.Username], row.ServiceID = svc, svc.ID
	return row, nil
}

// importKnown updates an already imported account's domain and state. Only
// a Pending, Active or Suspended service takes the listed state: a
// Terminated or Cancelled one is the billing system's decision and stays.
func (s *Store) importKnown(ctx context.Context, tx *gorm.DB, p *importPlan, row links.ImportRow, old serviceRow, status string) (links.ImportRow, error) {
	row.ClientID, row.ServiceID = old.ClientID, old.ID
	before := serviceFromRow(old, p.server.Module)
	after := before
	cols := map[string]any{}
	if row.Domain != before.Domain {
		after.Domain, cols["domain"] = row.Domain, row.Domain
	}
	keep := before.Status == links.ServiceTerminated || before.Status == links.ServiceCancelled
	if !keep && status != before.Status {
		after.Status, cols["status"] = status, status
	}
	if len(cols) == 0 {
		row.Kind = links.ImportUnchanged
		return row, nil
	}
	row.Kind = links.ImportUpdated
	if p.dryRun {
		return row, nil
	}
	return row, s.applyServiceUpdate(ctx, tx, serviceUpdate{before: before, after: after, cols: cols})
}

// conflict marks row as not imported, for reason.
func conflict(row links.ImportRow, reason string) links.ImportRow {
	row.Kind, row.Reason = links.ImportConflict, reason
	return row
}

// createImportClient creates, in tx, the client of an account whose e-mail
// no user has: named after its domain, Active, with a new owner who has no
// password (they arrive by single sign-on), made as the bulk API makes
// owners (Store.batchOwners).
func (s *Store) createImportClient(ctx context.Context, tx *gorm.DB, email string, a links.PanelAccount) (int64, error) {
	name := a.Domain
	if name == "" {
		name = a.Username
	}
	item := links.ClientBatchItem{Owner: &links.BatchOwnerInput{Email: email, Name: name}}
	owners, err := s.batchOwners(ctx, tx, []links.ClientBatchItem{item}, []int{0}, nil)
	if err != nil {
		return 0, err
	}
	c := clientRow{Name: name, Email: email, Status: links.ClientActive, AllowSSO: true, OwnerUserID: owners[email]}
	if err := tx.Create(&c).Error; err != nil {
		return 0, err
	}
	m := membershipRow{ClientID: c.ID, UserID: c.OwnerUserID, Permissions: joinList(links.AllUserPermissions)}
	if err := tx.Create(&m).Error; err != nil {
		return 0, err
	}
	err = audit(ctx, tx, auditEntry{resource: links.AuditClient, id: auditID(c.ID), action: links.AuditCreate,
		clientID: c.ID, after: clientFromRow(c)})
	if err != nil {
		return 0, err
	}
	return c.ID, auditOwnerMembership(ctx, tx, c.ID, c.OwnerUserID)
}

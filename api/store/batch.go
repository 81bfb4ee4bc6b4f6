package store

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"gorm.io/gorm"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/secret"
)

// Batch upserts (PUT /clients:batch, /services:batch): every item the caller
// decoded and validated is applied in one transaction, in item order, so
// that a request applies all its valid items or none. Items that the stored
// state refuses (an unknown server, a taken username) get their own error
// and the others go on. The transaction is retried whole when InnoDB picks
// it as a deadlock's victim (its bumps meet the workers' commits on the
// servers' rows), each attempt from the validation's results. Reads are one query per table for the whole batch,
// and new rows are inserted a chunk at a time.

// insertChunk is how many rows one INSERT carries: under SQLite's limit of
// bound variables for every table written here.
const insertChunk = 200

// pending reports whether item i still needs applying: not already in
// error.
func pending(res *links.BatchResult, i int) bool { return res.Items[i].Result == "" }

// markDuplicates puts in error every pending item whose external id another
// pending item of the batch shares: which of them is meant cannot be told.
func markDuplicates(res *links.BatchResult, ids []string) {
	at := map[string][]int{}
	for i, id := range ids {
		if pending(res, i) {
			at[id] = append(at[id], i)
		}
	}
	for id, idx := range at {
		if len(idx) < 2 {
			continue
		}
		where := make([]string, len(idx))
		for k, i := range idx {
			where[k] = fmt.Sprintf("items[%d]", i)
		}
		err := links.FieldError("external_id", "The external_id %q appears more than once in this batch (%s): send each once.", id, strings.Join(where, ", "))
		for _, i := range idx {
			res.Items[i] = links.ItemError(i, id, err)
		}
	}
}

// done records the outcome of item i.
func done(res *links.BatchResult, i int, externalID, result string, id int64) {
	res.Items[i] = links.BatchItemResult{Index: i, ExternalID: externalID, Result: result, ID: &id}
}

// finish counts the results once the transaction committed.
func finish(res *links.BatchResult, err error) error {
	if err != nil {
		return err
	}
	res.Applied = true
	res.Count()
	return nil
}

// hashPasswords hashes the given passwords, using every CPU: bcrypt is the
// slow part of creating owners. It runs before the transaction, so that no
// lock is held meanwhile.
func (s *Store) hashPasswords(passwords map[int]string) (map[int]string, error) {
	out := make(map[int]string, len(passwords))
	var mu sync.Mutex
	var firstErr error
	work := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(len(passwords), runtime.NumCPU())) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				h, err := secret.HashPassword(passwords[i], s.passwordCost)
				mu.Lock()
				out[i] = h
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for i := range passwords {
		work <- i
	}
	close(work)
	wg.Wait()
	return out, firstErr
}

// idsByExternalID maps the external ids of the model's rows among ids to
// their row ids, in tx.
func idsByExternalID(tx *gorm.DB, model any, ids []string) (map[string]int64, error) {
	out := map[string]int64{}
	var rows []struct {
		ID         int64
		ExternalID string
	}
	for chunk := range chunks(ids, 500) {
		if err := tx.Model(model).Select("id", "external_id").Where("external_id IN ?", chunk).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ExternalID] = r.ID
		}
	}
	return out, nil
}

// chunks yields s in pieces of at most n.
func chunks[T any](s []T, n int) func(yield func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}

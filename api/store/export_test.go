package store

import (
	"context"
	"time"
)

// ClaimCandidates runs the claims of ClaimTasks on tasks taken as due
// candidates (task id to server id, in order), for the races a test cannot
// time: a lease taken, or a task taken, between the candidates' selection
// and the claim. It returns the owner of each task won and the tasks whose
// server lease was held.
func (s *Store) ClaimCandidates(ctx context.Context, tasks [][2]int64, owners []string, ttl time.Duration) (map[int64]string, []int64, error) {
	cands := make([]serverTaskRow, len(tasks))
	for i, t := range tasks {
		cands[i] = serverTaskRow{ID: t[0], ServerID: t[1]}
	}
	won, held, err := s.claimAll(ctx, cands, owners, s.now(), ttl)
	out := map[int64]string{}
	for _, w := range won {
		out[w.taskID] = w.owner
	}
	var heldIDs []int64
	for _, h := range held {
		heldIDs = append(heldIDs, h.ID)
	}
	return out, heldIDs, err
}

package whmsim

import "fmt"

// The methods below change an account's links and groups directly, as
// someone working in the panel would, without going through the WHM API:
// tests use them to make drift that verify must find. They count in no
// statistics.

// RemoveLink deletes the account's link app. Deleting an absent link is an
// error, so that a test's typo does not pass unnoticed.
func (s *Server) RemoveLink(user, app string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.editable(user)
	if err != nil {
		return err
	}
	if a.links[app] == nil {
		return fmt.Errorf("whmsim: account %q has no link %q", user, app)
	}
	delete(a.links, app)
	return nil
}

// EditLink changes the stored fields of the account's link app with edit
// (the app name itself cannot change); its token stays.
func (s *Server) EditLink(user, app string, edit func(*Link)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.editable(user)
	if err != nil {
		return err
	}
	l := a.links[app]
	if l == nil {
		return fmt.Errorf("whmsim: account %q has no link %q", user, app)
	}
	edited := l.Link
	edit(&edited)
	edited.App = l.App
	l.Link = edited
	return nil
}

// RemoveGroup deletes the account's group id; its links stay.
// Deleting an absent group is an error.
func (s *Server) RemoveGroup(user, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.editable(user)
	if err != nil {
		return err
	}
	if _, ok := a.groups[id]; !ok {
		return fmt.Errorf("whmsim: account %q has no group %q", user, id)
	}
	delete(a.groups, id)
	return nil
}

// editable returns the account; s.mu must be held.
func (s *Server) editable(user string) (*account, error) {
	a := s.accounts[user]
	if a == nil {
		return nil, fmt.Errorf("whmsim: no account %q", user)
	}
	return a, nil
}

package sso

// PublicURL is the origin the service answers on, for the tests' checks of
// its normalisation.
func (s *Service) PublicURL() string { return s.cfg.PublicURL }

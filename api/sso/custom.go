package sso

import (
	"context"
	"errors"

	"github.com/applinks/applinks/api/links"
)

// errAmbiguousLink is customLink's answer when several applications have
// the key with different destinations and no module was given.
var errAmbiguousLink = errors.New("sso: several applications have the custom link")

// customLink finds the custom link key (custom_<slug>) of module, or,
// without a module, of the one application that has it; applications
// whose links lead to the same place count as one. found is false for a
// key no application has (or one staff removed).
func (s *Service) customLink(ctx context.Context, module, key string) (st links.LinkSetting, found bool, err error) {
	if !links.IsCustomKey(key) {
		return links.LinkSetting{}, false, nil
	}
	modules := []string{module}
	if module == "" {
		modules = modules[:0]
		for _, a := range links.Applications {
			modules = append(modules, a.Module)
		}
	}
	var all []links.LinkSetting
	for _, m := range modules {
		st, ok, err := s.targets.LinkSetting(ctx, m, key)
		if err != nil {
			return links.LinkSetting{}, false, err
		}
		if ok && !st.Removed {
			all = append(all, st)
		}
	}
	if len(all) == 0 {
		return links.LinkSetting{}, false, nil
	}
	for _, o := range all[1:] {
		if !sameDestination(all[0], o) {
			return links.LinkSetting{}, false, errAmbiguousLink
		}
	}
	return all[0], true, nil
}

// sameDestination tells whether two link settings lead to the same place.
func sameDestination(a, b links.LinkSetting) bool {
	return a.Target == b.Target && a.Route == b.Route && a.URLTemplate == b.URLTemplate && a.Handoff == b.Handoff
}

// customPage is the client-area path of a custom link: its own path for a
// client-area target (checked again: it must stay under /portal), the home
// page for an external one (the page whose permission a sign-in to it
// needs).
func customPage(st links.LinkSetting) string {
	if st.Target == links.TargetClientArea && links.ValidateCustomRoute("route", st.Route) == nil {
		return st.Route
	}
	return HomePath
}

// customDestination resolves a trusted application's custom destination:
// the link of the service's application (module, when a service was
// given) or of the one application that has it. An unknown or removed key
// is refused naming destination; a key of several applications, or an
// external target (rendered for one service) without a service, naming
// service_id.
func (s *Service) customDestination(ctx context.Context, module, key string, serviceID int64) (links.LinkSetting, error) {
	st, found, err := s.customLink(ctx, module, key)
	switch {
	case errors.Is(err, errAmbiguousLink):
		return st, refuseField(links.SSOReasonInvalidDestination, "service_id",
			"Invalid destination: more than one application has the custom link %q; give the service_id of the service it is for.", key)
	case err != nil:
		return st, err
	case !found:
		return st, refuseField(links.SSOReasonInvalidDestination, "destination",
			"Invalid destination %q: no application has this custom link (it may have been removed); use a custom link key from the Configure screen.", truncate(key, 64))
	case st.Target == links.TargetExternal && serviceID == 0:
		return st, refuseField(links.SSOReasonInvalidDestination, "service_id",
			"Invalid destination: the custom link %q leads to an external target rendered for one service; give its service_id.", key)
	}
	return st, nil
}

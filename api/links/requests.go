package links

import (
	"net/url"
	"strconv"
	"strings"
)

// PushPlan is the panel request that makes an account carry exactly the
// enabled links of ls (as ApplyLinkSettings returns them) in the group
// named prefix, labelled groupLabel, and removes the disabled ones; the
// accounts are added per batch. Every link embeds publicURL.
func PushPlan(ls []Link, publicURL, prefix, groupLabel string) PushRequest {
	login := func(route string) string { return publicURL + "/portal/login?next=" + url.QueryEscape(route) }
	req := PushRequest{Group: GroupSpec{ID: prefix, Label: groupLabel, Order: 100}}
	for _, l := range ls {
		if !l.Enabled {
			req.Remove = append(req.Remove, prefix+"_"+l.Key)
			continue
		}
		spec := LinkSpec{
			App: prefix + "_" + l.Key, Label: l.Label, Order: l.Order, Implements: l.Implements,
			AutologinTokenURL: publicURL + "/sso/cpanel/token?destination=" + url.QueryEscape(l.Key),
			URL:               login(l.Route),
		}
		if strings.Contains(l.Route, ":serviceId") {
			// The fallback continues to the account's own service page;
			// without a known service, to the service list.
			d := LinkDef{Route: l.Route}
			spec.URL = login("/portal/services")
			spec.ServiceURL = func(id int64) string { return login(d.RouteFor(strconv.FormatInt(id, 10))) }
		}
		req.Links = append(req.Links, spec)
	}
	return req
}

// RemoveAll is the panel request that removes every link of the catalogue
// and the group named prefix; the usernames are added per batch.
func RemoveAll(prefix string) RemoveRequest {
	apps := make([]string, len(Catalogue))
	for i, d := range Catalogue {
		apps[i] = prefix + "_" + d.Key
	}
	return RemoveRequest{GroupID: prefix, Apps: apps}
}

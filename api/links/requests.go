package links

import "net/url"

// PushPlan is the panel request that makes an account carry exactly the
// enabled links of ls (as ApplyLinkSettings returns them) in the group
// named prefix, labelled groupLabel, and removes the disabled ones; the
// accounts are added per batch. Every link embeds publicURL.
//
// The fallback url of a link (where cPanel sends the browser when the
// autologin call was refused) is the fallback page of the link's
// destination for the account's subscriber id (FallbackPageURL), which
// explains a recent refusal and offers the sign-in that continues there.
func PushPlan(ls []Link, publicURL, prefix, groupLabel string) PushRequest {
	req := PushRequest{Group: GroupSpec{ID: prefix, Label: groupLabel, Order: 100}}
	for _, l := range ls {
		if !l.Enabled {
			req.Remove = append(req.Remove, prefix+"_"+l.Key)
			continue
		}
		spec := LinkSpec{
			App: prefix + "_" + l.Key, Label: l.Label, Order: l.Order, Implements: l.Implements,
			AutologinTokenURL: publicURL + "/sso/cpanel/token?destination=" + url.QueryEscape(l.Key),
			URL:               FallbackPageURL(publicURL, l.Key, ""),
			SubURL:            true,
		}
		req.Links = append(req.Links, spec)
	}
	return req
}

// FallbackPath is the path of the page a refused cPanel click falls back to.
const FallbackPath = "/sso/fallback"

// FallbackURLScheme names the shape of the fallback urls PushPlan makes. It
// is part of AppFingerprint, so changing the shape (bump it when you do)
// makes the reconciler push every account again: until then an account
// keeps the url it was pushed with. Version 1 was
// <public>/portal/login?next=<route>; 2 is FallbackPageURL.
const FallbackURLScheme = "2"

// FallbackPageURL is the fallback url of the link to destination on the
// account with the public subscriber id sub (none when empty):
// <publicURL>/sso/fallback?destination=<key>&sub=<subscriber id>.
func FallbackPageURL(publicURL, destination, sub string) string {
	u := publicURL + FallbackPath + "?destination=" + url.QueryEscape(destination)
	if sub != "" {
		u += SubQuery(sub)
	}
	return u
}

// RemoveAll is the panel request that removes every link of the catalogue,
// every custom link of settings (present or removed) and the group named
// prefix; the usernames are added per batch.
func RemoveAll(prefix string, settings []LinkSetting) RemoveRequest {
	apps := make([]string, len(Catalogue), len(Catalogue)+len(settings))
	for i, d := range Catalogue {
		apps[i] = prefix + "_" + d.Key
	}
	for _, s := range settings {
		if IsCustomKey(s.Key) {
			apps = append(apps, prefix+"_"+s.Key)
		}
	}
	return RemoveRequest{GroupID: prefix, Apps: apps}
}

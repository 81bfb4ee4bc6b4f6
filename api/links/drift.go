package links

import (
	"fmt"
	"slices"
)

// Drift compares what an account should carry (group and want, pushed with
// creds) with what a panel reported it carries (found, from ReadLinks), and
// returns each difference as a short phrase for a log entry that names the
// account: "link billing_upgrade missing", "label of billing_profile is
// \"X\", want \"Manage Profile\"", "extra link billing_old", "group billing
// missing". It returns nil when the account is as it should be.
//
// An empty want means the account must carry none of our links and not our
// group. An extra link counts only when managed names it (the apps a push
// or a removal takes away: RemoveAll): a link of the prefix that this
// service never made is left alone, since no repair would remove it. The
// token cannot be read back, so it is never compared; nor are the icon and
// the group's label and order, which the panel does not report. found.Err
// must be nil: an account that could not be read has no drift to tell.
func Drift(group GroupSpec, want []LinkSpec, managed []string, creds AccountCreds, found AccountLinks) []string {
	var diffs []string
	switch {
	case len(want) > 0 && !found.HasGroup:
		diffs = append(diffs, fmt.Sprintf("group %s missing", group.ID))
	case len(want) == 0 && found.HasGroup:
		diffs = append(diffs, fmt.Sprintf("extra group %s", group.ID))
	}
	have := make(map[string]FoundLink, len(found.Links))
	for _, l := range found.Links {
		have[l.App] = l
	}
	for _, w := range want {
		got, ok := have[w.App]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("link %s missing", w.App))
		case !got.Read:
			diffs = append(diffs, fmt.Sprintf("the stored fields of link %s were not read", w.App))
		default:
			diffs = append(diffs, linkDrift(group, w, creds, got)...)
		}
	}
	var extra []string
	for _, l := range found.Links {
		if slices.Contains(managed, l.App) && !slices.ContainsFunc(want, func(w LinkSpec) bool { return w.App == l.App }) {
			extra = append(extra, l.App)
		}
	}
	slices.Sort(extra)
	for _, app := range extra {
		diffs = append(diffs, fmt.Sprintf("extra link %s", app))
	}
	return diffs
}

// linkDrift compares the stored fields of one link with the pushed ones.
func linkDrift(group GroupSpec, w LinkSpec, creds AccountCreds, got FoundLink) []string {
	var diffs []string
	text := func(field, is, want string) {
		if is != want {
			diffs = append(diffs, fmt.Sprintf("%s of %s is %q, want %q", field, w.App, is, want))
		}
	}
	text("label", got.Label, w.Label)
	if got.Order != w.Order {
		diffs = append(diffs, fmt.Sprintf("order of %s is %d, want %d", w.App, got.Order, w.Order))
	}
	text("group_id", got.GroupID, group.ID)
	text("implements", got.Implements, w.Implements)
	text("url", got.URL, w.FallbackURL(creds))
	text("autologin_token_url", got.AutologinTokenURL, w.AutologinTokenURL)
	// The subscriber id is the public half of the credential: shown.
	text("subscriber_unique_id", got.SubscriberUniqueID, creds.SubscriberUniqueID)
	return diffs
}

package links

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Desired state: the link set an account location should carry, as a
// fingerprint. The provisioning loop pushes (or removes) the links of every
// location whose desired fingerprint differs from the one the panel last
// confirmed.

// Confirmed fingerprints that equal no desired fingerprint, so that the
// location is out of date whatever it should carry.
const (
	// ConfirmedRepair marks a location to push (or remove) again: a repair
	// (written as NewMark makes it).
	ConfirmedRepair = "!repair"
	// ConfirmedOwner marks a location another service took over: what it
	// carries was pushed with someone else's credentials (written as
	// NewMark makes it).
	ConfirmedOwner = "!owner"
	// ConfirmedLegacy marks a location carried over from the operations
	// engine: whether its links are exact is not known.
	ConfirmedLegacy = "?legacy"
)

// NewMark is a mark (ConfirmedRepair, ConfirmedOwner) made unique. A
// panel's answer applies only while the confirmed fingerprint is still the
// one read before the request: a location marked again while such an
// answer is in flight (a second repair, a second owner) must read
// differently, or the answer would apply over the newer mark.
func NewMark(mark string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return mark + "-" + hex.EncodeToString(b[:])
}

// AppFingerprint is the application part of the desired state: a hash of
// whether the application is enabled, its links (as ApplyLinkSettings
// returns them) and what every pushed link embeds (the public URL, the link
// prefix and the group label), and the shape of the fallback urls
// (FallbackURLScheme, a fixed version: the shape itself is code, not data).
// Any change to one of them changes it.
func AppFingerprint(enabled bool, ls []Link, publicURL, prefix, groupLabel string) string {
	var b strings.Builder
	b.WriteString(strconv.FormatBool(enabled))
	// The url scheme version: bumping it re-pushes every account, so none
	// keeps a fallback url of an older shape.
	b.WriteString("\x00url-scheme:" + FallbackURLScheme)
	for _, part := range []string{publicURL, prefix, groupLabel} {
		b.WriteString("\x00" + part)
	}
	for _, l := range ls {
		b.WriteString("\x01" + l.Key + "\x00" + l.Label + "\x00" + strconv.FormatBool(l.Enabled) + "\x00" +
			strconv.Itoa(l.Order) + "\x00" + l.Implements + "\x00" + l.Route + "\x00" + l.Group)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:12])
}

// ConfigFingerprint is the part of every application's desired state that
// comes from a process's configuration and version: the public URL, the
// prefix and group label, the url scheme. Processes sharing a database must
// agree on it; the last one started stores it (InitApplication), and the
// others leave the servers alone while theirs differs.
func ConfigFingerprint(publicURL, prefix, groupLabel string) string {
	return AppFingerprint(true, nil, publicURL, prefix, groupLabel)
}

// DesiredInput is what the desired state of one account location depends on.
type DesiredInput struct {
	// AtLocation: a service exists and is still at this server and username.
	AtLocation bool
	// Status is that service's status.
	Status string
	// ServerActive and ServerSupported describe the location's server.
	ServerActive, ServerSupported bool
	// AppEnabled and AppFP are the application's switch and fingerprint.
	AppEnabled bool
	AppFP      string
	// CredVersion is the version of the service's link credential.
	CredVersion int
}

// DesiredFP is the fingerprint of the links the location should carry:
// "<application fingerprint>:<credential version>" when a qualifying
// service is there on an active supported server and the application is
// enabled, else "" (no links, no group).
func DesiredFP(in DesiredInput) string {
	prefix := DesiredPrefix(in.AppEnabled, in.AppFP)
	if !in.AtLocation || !StatusQualifies(in.Status) || !in.ServerActive || !in.ServerSupported || prefix == "" {
		return ""
	}
	return prefix + strconv.Itoa(max(in.CredVersion, 1))
}

// DesiredPrefix is what the desired fingerprint of every qualifying
// location of an application starts with, before its credential version;
// "" when nothing is desired (the application is disabled).
func DesiredPrefix(enabled bool, appFP string) string {
	if !enabled || appFP == "" {
		return ""
	}
	return appFP + ":"
}

// OutOfDate reports whether a location must be pushed or cleaned: its
// desired fingerprint differs from the confirmed one, and it is not terminal
// (failed is the desired fingerprint at which it stopped being tried; it is
// tried again once the desired state changes).
func OutOfDate(desired, confirmed, failed string) bool {
	return desired != confirmed && !Terminal(desired, failed)
}

// FailedRemoval is the failed fingerprint of a location whose removal (an
// empty desired set) became terminal: the empty string means "not failed".
const FailedRemoval = "!removal"

// FailedMark is the failed fingerprint that makes a location terminal at
// desired.
func FailedMark(desired string) string {
	if desired == "" {
		return FailedRemoval
	}
	return desired
}

// Terminal reports whether a location stopped being tried at desired: it
// failed there, and stays so until its desired state changes (or a Retry
// failed clears it).
func Terminal(desired, failed string) bool {
	return failed == FailedMark(desired)
}

// Due reports whether an out-of-date location may be tried now: it is not
// waiting for a backoff to end.
func Due(desired, confirmed, failed string, nextAttempt *time.Time, now time.Time) bool {
	return OutOfDate(desired, confirmed, failed) && (nextAttempt == nil || !nextAttempt.After(now))
}

// Backoff is the wait after the n-th failed attempt (n from 1): base doubled
// each time, at most limit.
func Backoff(base, limit time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// App is an application's desired state as the loop pushes it: its switch,
// its fingerprint, the push request of its links (without accounts: it
// also removes the custom links no longer configured, so that a removed
// link leaves every account at its next push) and the request removing
// everything it may have pushed (without usernames).
type App struct {
	Enabled bool
	FP      string
	Push    PushRequest
	Remove  RemoveRequest
}

// DesiredApp is the desired state of an application with these settings;
// every pushed link embeds publicURL, and prefix and groupLabel name the
// apps and the group.
func DesiredApp(enabled bool, settings []LinkSetting, publicURL, prefix, groupLabel string) App {
	ls := ApplyLinkSettings(settings)
	push := PushPlan(ls, publicURL, prefix, groupLabel)
	push.Remove = append(push.Remove, RemovedApps(settings, prefix)...)
	return App{Enabled: enabled, FP: AppFingerprint(enabled, ls, publicURL, prefix, groupLabel), Push: push,
		Remove: RemoveAll(prefix, settings)}
}

// Apps names the apps of the desired links.
func (a App) Apps() []string {
	out := make([]string, len(a.Push.Links))
	for i, l := range a.Push.Links {
		out[i] = l.App
	}
	return out
}

// TokenOnly reports whether a location confirmed at confirmed differs from
// its desired fingerprint only by the credential version (a rotation): its
// links are there and need the new token only. Sentinels and "" have no
// version.
func TokenOnly(confirmed, desired string) bool {
	i, j := strings.LastIndexByte(confirmed, ':'), strings.LastIndexByte(desired, ':')
	return i > 0 && j > 0 && confirmed[:i] == desired[:j] && confirmed != desired
}

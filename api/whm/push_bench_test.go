package whm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/applinks/applinks/api/links"
)

// BenchmarkPushBatchParse is the client's CPU per push batch as PushLinks
// spends it: it builds and encodes 10 accounts x (1 group + 14 links), and
// each link's url naming the account's subscriber id (as links.PushPlan
// makes them); the answer of 150 sub-results is parsed, secrets gathered.
func BenchmarkPushBatchParse(b *testing.B) {
	req := links.PushRequest{Group: links.GroupSpec{ID: "applinks", Label: "Billing & Support", Order: 100}}
	for l := range 14 {
		req.Links = append(req.Links, links.LinkSpec{App: fmt.Sprintf("applinks_link%d", l), Label: fmt.Sprintf("Link %d", l), Order: l,
			Implements: "billing", AutologinTokenURL: "https://billing.example.com/sso/cpanel/token?destination=link",
			URL: "https://billing.example.com/sso/fallback?destination=link", SubURL: true})
	}
	for a := range 10 {
		req.Accounts = append(req.Accounts, links.AccountCreds{Username: fmt.Sprintf("user%03d", a),
			SubscriberUniqueID: fmt.Sprint(1000 + a), Token: "s3cr3t-token-value-0123456789abcdef"})
	}
	conn := links.ServerConn{ID: 1, Hostname: "127.0.0.1", Port: 2087, Username: "root", APIToken: "ROOTTOKEN-0123456789"}
	p := NewCPanel(Options{AllowLoopback: true})
	_, calls := p.pushCalls(req)
	var ans strings.Builder
	ans.WriteString(`{"metadata":{"command":"batch","reason":"OK","result":1,"version":1},"data":{"result":[`)
	for i, c := range commands(calls) {
		if i > 0 {
			ans.WriteByte(',')
		}
		fmt.Fprintf(&ans, `{"metadata":{"command":%q,"reason":"OK","result":1,"version":1},"data":null}`, c.Function)
	}
	ans.WriteString(`]}}`)
	body := []byte(ans.String())
	b.ReportAllocs()
	for b.Loop() {
		_, calls := p.pushCalls(req)
		cmds := commands(calls)
		_ = encodeBatch(cmds, false)
		ci := callInfo{server: "s", function: FnBatch, scrub: batchScrubber(conn.APIToken, cmds)}
		out, err := parseBatch(ci, 200, body, cmds)
		if err != nil || len(out) != len(cmds) {
			b.Fatal(err)
		}
	}
}

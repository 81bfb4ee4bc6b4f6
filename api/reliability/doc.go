// Package reliability is the reliability suite of applinks: it runs the real
// binary (built from this checkout) against simulated WHM servers and checks
// outcomes, never timings:
//
//   - crash: kill -9 at random points of provisioning runs on MariaDB, then a
//     restart; every account ends with exactly the desired links, every
//     operation completes, nothing is logged twice;
//   - bulk add: kill -9 while services are created through the API (one at
//     a time and services:batch) with the application enabled; once active,
//     every account created carries exactly its links and credential, the
//     others nothing;
//   - drift: links deleted, relabelled and groups deleted on the simulated
//     panels are each named in a Notice by a verify and repaired;
//   - rotation: clicks with whatever secret the panel holds never fail
//     while every secret is rotated; afterwards the old secrets are refused;
//   - webhooks: kill -9 while messages are delivered; every event arrives at
//     least once, signed, under one webhook-id;
//   - faults: panel errors, timeouts, HTML answers, HTTP 500s and a server
//     going down mid-run; the run finishes, every failure is a warning
//     naming its server and account, a repair sync fixes everything;
//   - replicas: three processes on one database, one killed mid-run; the
//     work completes and no server ever sees more requests in flight than
//     the per-server cap;
//   - SSO abuse: replay, concurrent redemption, expired tokens, brute force
//     into the rate limits, and the fuzz tests of the public handlers exist;
//   - bad input: every JSON endpoint of docs/swagger.json gets malformed,
//     oversized, wrong-type and boundary bodies: a 4xx with a clear JSON error,
//     never a 5xx, and nothing written.
//
// The suite runs only with RELIABILITY=1 (make reliability);
// RELIABILITY_SIZE=small is the reduced run of CI (under five minutes on two
// cores). The full run writes bench/reliability.md. MariaDB is reached at
// APPLINKS_BENCH_MYSQL (default root@tcp(127.0.0.1:3306)/); a scratch
// database is created and dropped per test. TestSmoke runs by default.
package reliability

// Package reliability is the reliability suite of applinks: it runs the real
// binary (built from this checkout) against simulated WHM servers and checks
// outcomes, never timings:
//
//   - crash: kill -9 at random points of provisioning runs on MariaDB, then a
//     restart; every account ends with exactly the desired links, every
//     operation completes, nothing is logged twice;
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

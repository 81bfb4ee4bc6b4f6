// Package harness holds what the benchmarks (api/cmd/bench) and the
// reliability suite (api/reliability) share: scratch databases on SQLite and
// MariaDB/MySQL, bulk seeding through the store package, simulated WHM
// servers with matching accounts, the real applinks binary run as a child
// process (with its peak RSS read from /proc), a small REST client, a
// closed-loop and a paced load generator, and a description of the machine.
//
// Everything listens on and talks to 127.0.0.1 only, and every loop is
// bounded in count and time.
package harness

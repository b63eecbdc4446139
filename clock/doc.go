// Package clock is the business clock of development and sandbox networks: a
// module whose state holds an offset that the app adds to every block's
// header time to give the business time (module.Context.Time) that the other
// modules read — cut-offs, trade dates, record timestamps. A signed
// clock/advance moves it forward only, so a whole business day (a purchase
// before the 15:00 cut-off, one after it, the NAV, the confirmation) can run
// at any hour.
//
// The clock exists only when the genesis says {"simulated": true}: on any
// other network the offset is zero for ever (no message can switch the clock
// on) and business time is block time. Business time never goes backwards
// and never runs behind block time: the offset is a non-negative integer of
// nanoseconds that only grows.
//
// Like every module it sees state only through module.KV and must never
// import CometBFT, pebble, net/http or the app. It reads the fund module's
// trading calendar, read-only, through Context.Peer("fund").
package clock

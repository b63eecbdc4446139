// Package fund is the fund registration module: the transfer agent (TA) of the
// consortium. It keeps fund products and their fee schedules, NAV quotations,
// investor orders (subscription 020, purchase 022, redemption 024, dividend
// method change 029), their automatic confirmation at T+1, the share register
// with its lots, and dividends.
//
// The state machine:
//
//	fund:  (absent) --register--> offering --offering ends--> open
//	       open <--> purchase-suspended | redemption-suspended
//	       open --close--> closed --liquidate--> liquidated
//	NAV:   (absent) --manager publishes--> published --custodian co-signs--> final
//	order: (absent) --submit, trade date T from block time--> pending
//	       pending --cancel before the cut-off--> cancelled
//	       pending --final NAV of T committed--> confirmed | failed (return code)
//	lot:   confirmed subscription, purchase or reinvestment --> lot (shares, since)
//	       redemption --> lots consumed first in first out
//
// Files: types.go and msgs.go (records and messages), module.go (message
// table, genesis, shared checks, signed statements), investor.go (KYC,
// sealed personal data, accounts, risk disclosures), product.go (funds,
// terms, status, calendar, NAV and its co-signature, dividends), order.go
// (orders, cancellations, freezes), confirm.go (the end-block jobs:
// confirmation, establishment, failed offerings, dividends, in chunks),
// query.go (reads and their access rules), personal.go (client-side
// sealing and opening of personal data), share.go (who may be given an
// investor's personal data by a share: MayHoldPersonal, the chain's check
// and the client's choice), memo.go (decode memo),
// calchange.go (calendar changes, which only a two-officer supervision
// intervention or governance makes, and the calendar-expiry warning),
// receive.go (actions other modules call). docs/fund.md
// describes the rules. The arithmetic and the calendar the state machine
// calls are:
//
//   - money.go: the fixed-point types Amount (fen), Shares (0.01 share), NAV
//     (4 decimals), Rate (parts per million) and DividendPerShare (4 decimals
//     of CNY per share), their exact decimal text forms, and checked 128-bit
//     MulDiv with an explicit Rounding (Truncate or HalfUp) on every call;
//   - calc.go: purchase and subscription fees and shares, FIFO redemption with
//     holding-period fees, cash and reinvested dividends, and the fee tier
//     schedules with their validation;
//   - calendar.go: civil dates, the trading calendar, the trade date of a
//     block time (cut-off 15:00 China time, UTC+8) and T+n;
//   - cnexchange.go: the official SSE/SZSE calendars shipped in
//     calendars/cn-exchange.json (2025, 2026), each year with its source.
//
// Everything here is a pure function of its arguments: integers only (no
// floats), no wall clock (times come from the block header), no map
// iteration, no goroutines. Overflow and invalid input are errors, never
// panics or wrapped values. The errors are plain sentinels (compare with
// errors.Is); the module maps them to its result codes.
//
// Like every module, fund sees state only through module.KV and must never
// import CometBFT, pebble, net/http or the app.
package fund

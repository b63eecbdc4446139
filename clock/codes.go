package clock

import "github.com/otcchain/otcchain/module"

// Codes of the clock codespace. Appended only, never renumbered: codes are
// consensus state (pinned by app/testdata/codes.golden and TestCodes).
var (
	Codes = module.NewCodes("clock")

	ErrInvalidRequest = Codes.Register(1, "invalid_request", "the message is malformed")
	ErrNotSimulated   = Codes.Register(2, "clock_not_simulated", "this network has no business clock: business time is block time")
	ErrBackwards      = Codes.Register(3, "clock_backwards", "the target is not after the current business time: the business clock only moves forward")
	ErrRole           = Codes.Register(4, "clock_role_not_permitted", "the signer's role may not advance this network's business clock")
	ErrInvalidTarget  = Codes.Register(5, "clock_invalid_target", "the target is not an RFC 3339 time with a zone, \"cutoff\" or \"trading_day\"")
	ErrNoTradingDay   = Codes.Register(6, "clock_no_trading_day", "the trading calendar has no such trading day")
	ErrInvalidGenesis = Codes.Register(7, "invalid_genesis", "the clock genesis section is invalid")
)

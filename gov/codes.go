package gov

import "github.com/otcchain/otcchain/module"

// Codes of the gov codespace. Appended only, never renumbered: codes are
// consensus state (pinned by app/testdata/codes.golden).
var (
	Codes = module.NewCodes("gov")

	ErrInvalidRequest = Codes.Register(1, "invalid_request", "the message is malformed")
	ErrNotPermitted   = Codes.Register(2, "not_permitted", "the signer may not do this")
	ErrExists         = Codes.Register(3, "proposal_exists", "a proposal with this id already exists")
	ErrUnknown        = Codes.Register(4, "unknown_proposal", "no such proposal")
	ErrStatus         = Codes.Register(5, "status", "the proposal is no longer open")
	ErrAlreadyVoted   = Codes.Register(6, "already_voted", "the organisation has already voted on this proposal")
	ErrNotElector     = Codes.Register(7, "not_elector", "the organisation is not in the proposal's electorate")
	ErrUnknownAction  = Codes.Register(8, "unknown_action", "the action is not one governance may take")
	ErrAction         = Codes.Register(9, "invalid_action", "the action is refused as it stands")
	ErrValidatorFloor = Codes.Register(10, "validator_floor", "the change would leave fewer than 4 validators with power")
	ErrValidatorCap   = Codes.Register(11, "validator_cap", "the change would let one organisation hold a third of the voting power or more")
	ErrUnknownVal     = Codes.Register(12, "unknown_validator", "no such validator")
	ErrClaimExists    = Codes.Register(13, "claim_exists", "a claim with this id already exists")
	ErrUnknownClaim   = Codes.Register(14, "unknown_claim", "no such claim")
	ErrClaimStatus    = Codes.Register(15, "claim_status", "the claim is no longer open")
	ErrPoolShort      = Codes.Register(16, "pool_short", "the insurance pool holds less than the claim")
	ErrAmount         = Codes.Register(17, "amount", "the amount is out of range")
	ErrInvalidGenesis = Codes.Register(18, "invalid_genesis", "the gov genesis section is invalid")
	ErrExpired        = Codes.Register(19, "expired", "the proposal's voting period is over")
)

package chain

import (
	"strings"

	"github.com/otcchain/otcchain/ofd"
)

// Return codes for refusals. A confirmation carries the return code the
// fund module computed (0000, 0001, 0010, 0310, 0373, 0402, 0409). An
// application the module refuses at submission creates no order and has no
// 04 record; RefusalReturnCode gives the standard's code for the refusal, for
// a report to the distributor (the importer's per-record answer).
//
// Where a refusal depends on the business, biz is the application's
// business code (022 purchase, 020 subscription, 024 redemption ...).
func RefusalReturnCode(biz, refusal string) string {
	name := exRefusalName(refusal)
	switch name {
	case "insufficient_shares":
		return "0001" // 份数余额不足
	case "account_frozen", "frozen_by_regulator":
		return "0002" // 账户已冻结
	case "no_account", "unknown_investor":
		return "0009" // 无此账户
	case "below_min_holding":
		return "0310" // 赎回后剩余份数低于持有下限
	case "unknown_fund":
		return "0200" // 基金代码非法
	case "not_cancellable":
		return "0345" // 撤单申请无效
	case "unknown_order":
		return "0218" // 原申请单编号非法
	case "account_exists":
		return "0411" // 重复开户
	case "below_minimum":
		switch biz {
		case "020":
			return "0337" // 单笔认购低于认购下限
		case "024":
			return "0341" // 单笔赎回低于赎回下限
		}
		return "0309" // 单笔申购低于申购下限
	case "fund_status":
		switch biz {
		case "020":
			return "0377" // 基金不在发行期或认购结束，认购不受理
		case "022":
			return "0438" // 基金处于不允许申购状态
		}
		return "0006" // 非开放日不受理
	case "reseller_not_authorised":
		return "0105" // 销售代理人代码错误
	}
	return "0010" // 其它原因失败: kyc_expired, unsuitable, daily_limit, investor_signature, duplicate_order, ...
}

// exRefusalName is the code name of a refusal given as "fund/14
// insufficient_shares: ...", "insufficient_shares" or the like.
func exRefusalName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	if f := strings.Fields(s); len(f) > 0 {
		s = f[len(f)-1]
	}
	return s
}

// exReturnCodeKnown reports whether code is in the standard's table.
func exReturnCodeKnown(code string) bool { return ofd.ReturnName(code) != "" }

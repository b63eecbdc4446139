package module

import "fmt"

// Role is what a certificate allows its holder to do. It is written in the
// certificate subject (OU) and checked against every message's role list.
type Role string

// The roles. Appended only: roles are part of consensus state.
const (
	RoleInvestor    Role = "investor"
	RoleReseller    Role = "reseller"
	RoleFundManager Role = "fund_manager"
	RoleCustodian   Role = "custodian"
	RoleRegulator   Role = "regulator"
	RoleAdmin       Role = "admin"
	// RoleSeal is an organisation's electronic seal (电子印章, GB/T 38540): a
	// certificate issued by the organisation's CA whose key stamps contracts
	// beside a person's signature. A seal never sends transactions.
	RoleSeal Role = "seal"
)

// AllRoles lists every role in a fixed order (tables and tests iterate it).
func AllRoles() []Role {
	return []Role{RoleInvestor, RoleReseller, RoleFundManager, RoleCustodian, RoleRegulator, RoleAdmin, RoleSeal}
}

// ActingRoles are the roles whose identities send transactions: every role
// but RoleSeal.
func ActingRoles() []Role {
	return []Role{RoleInvestor, RoleReseller, RoleFundManager, RoleCustodian, RoleRegulator, RoleAdmin}
}

// ParseRole returns the role named s, or an error naming the valid roles.
func ParseRole(s string) (Role, error) {
	for _, r := range AllRoles() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("module: unknown role %q (want one of investor, reseller, fund_manager, custodian, regulator, admin, seal)", s)
}

// OrgType is the kind of member organisation. An organisation's type bounds
// the roles its CA may issue (see RoleAllowedForOrg).
type OrgType string

// The organisation types. Appended only.
const (
	OrgFundManager OrgType = "fund_manager"
	OrgReseller    OrgType = "reseller"
	OrgCustodian   OrgType = "custodian"
	OrgRegulator   OrgType = "regulator"
)

// AllOrgTypes lists every organisation type in a fixed order.
func AllOrgTypes() []OrgType {
	return []OrgType{OrgFundManager, OrgReseller, OrgCustodian, OrgRegulator}
}

// ParseOrgType returns the organisation type named s.
func ParseOrgType(s string) (OrgType, error) {
	for _, t := range AllOrgTypes() {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("module: unknown organisation type %q (want one of fund_manager, reseller, custodian, regulator)", s)
}

// RoleAllowedForOrg says whether an organisation of type t may issue
// certificates with role r: every organisation has admins and operators of its
// own type; investors are issued by resellers and by fund managers' direct-sales
// channels.
func RoleAllowedForOrg(t OrgType, r Role) bool {
	switch r {
	case RoleAdmin, RoleSeal:
		return true
	case RoleInvestor:
		return t == OrgReseller || t == OrgFundManager
	default:
		return string(r) == string(t)
	}
}

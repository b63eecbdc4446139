package fund

// JSON Schemas of the types with their own encoding, for the API's OpenAPI
// document (see package schema; this file needs the standard library only).

// decimalSchema is the schema of a non-negative fixed-point number written
// with exactly frac decimals.
func decimalSchema(frac, desc string) map[string]any {
	return map[string]any{"type": "string", "pattern": `^[0-9]+\.[0-9]{` + frac + `}$`, "description": desc}
}

// JSONSchema implements schema.Declarer: "YYYY-MM-DD", or "" for no date.
func (Date) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "pattern": `^([0-9]{4}-[0-9]{2}-[0-9]{2})?$`,
		"description": "a date YYYY-MM-DD (China time), or \"\" for none"}
}

// JSONSchema implements schema.Declarer.
func (Calendar) JSONSchema() map[string]any {
	d := Date(0).JSONSchema()
	return map[string]any{
		"type":                 "object",
		"description":          "the trading calendar: its trading days from from to to",
		"required":             []string{"from", "to", "days"},
		"additionalProperties": false,
		"properties":           map[string]any{"from": d, "to": Date(0).JSONSchema(), "days": map[string]any{"type": "array", "items": Date(0).JSONSchema()}},
	}
}

// JSONSchema implements schema.Declarer.
func (FundRisk) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "enum": []string{"R1", "R2", "R3", "R4", "R5"}, "description": "a fund's risk level"}
}

// JSONSchema implements schema.Declarer.
func (InvestorRisk) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "enum": []string{"C1", "C2", "C3", "C4", "C5"}, "description": "an investor's risk tolerance"}
}

// JSONSchema implements schema.Declarer.
func (Rounding) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "enum": []string{"truncate", "half_up"}}
}

// JSONSchema implements schema.Declarer.
func (Amount) JSONSchema() map[string]any {
	return decimalSchema("2", "an amount of CNY, e.g. 10000.00")
}

// JSONSchema implements schema.Declarer.
func (Shares) JSONSchema() map[string]any {
	return decimalSchema("2", "a number of shares, e.g. 7980.73")
}

// JSONSchema implements schema.Declarer.
func (NAV) JSONSchema() map[string]any { return decimalSchema("4", "a NAV per share, e.g. 1.2345") }

// JSONSchema implements schema.Declarer.
func (Rate) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "pattern": `^[0-9]+\.[0-9]{2,4}%$`, "description": "a percentage, e.g. 1.50%"}
}

// JSONSchema implements schema.Declarer.
func (DividendPerShare) JSONSchema() map[string]any {
	return decimalSchema("4", "a cash dividend per share in CNY, e.g. 0.0250")
}

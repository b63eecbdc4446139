package ofd

import (
	"strings"
	"sync"
)

// Business codes: an application code (01/03 files) and its confirmation code (02/04 files, usually
// application + 100) share a meaning. Some confirmations have no application (130, 142-151, ...), one
// application has no confirmation (070), and ETF applications 091/093 are confirmed twice (191/192,
// 193/194).

type businessCode struct {
	name, note  string
	application bool // appears in the application column
}

var (
	codesOnce   sync.Once
	business    map[string]businessCode
	returnCodes map[string]string
)

func loadCodes() {
	codesOnce.Do(func() {
		business = map[string]businessCode{}
		raw, _ := dictFS.ReadFile("dict/business-codes.txt")
		for _, line := range strings.Split(string(raw), "\n") {
			c := strings.Split(strings.TrimSpace(line), "|")
			if len(c) < 3 {
				continue
			}
			name, note := c[2], ""
			if len(c) > 3 {
				note = c[3]
			}
			if app := strings.TrimSpace(c[0]); app != "" {
				business[app] = businessCode{name: name, note: note, application: true}
			}
			for _, cfm := range strings.Split(c[1], "、") {
				if cfm = strings.TrimSpace(cfm); cfm != "" {
					business[cfm] = businessCode{name: name, note: note}
				}
			}
		}
		returnCodes = map[string]string{}
		raw, _ = dictFS.ReadFile("dict/return-codes.txt")
		for _, line := range strings.Split(string(raw), "\n") {
			c := strings.Split(strings.TrimSpace(line), "|")
			if len(c) >= 2 && c[0] != "" {
				returnCodes[c[0]] = c[1]
			}
		}
	})
}

// BusinessName returns the meaning of an application or confirmation business code ("022" → "申购",
// "122" → "申购"), or "" when the code is unknown.
func BusinessName(code string) string {
	loadCodes()
	return business[code].name
}

// IsApplicationCode reports whether code is a known application business code (01/03 files).
func IsApplicationCode(code string) bool {
	loadCodes()
	b, ok := business[code]
	return ok && b.application
}

// IsConfirmationCode reports whether code is a known confirmation business code (02/04 files).
func IsConfirmationCode(code string) bool {
	loadCodes()
	b, ok := business[code]
	return ok && !b.application
}

// ReturnName returns the meaning of a return code ("0000" → "成功"), or "" when unknown.
func ReturnName(code string) string {
	loadCodes()
	return returnCodes[code]
}

// BusinessCheck says which business codes a file type's BusinessCode field must hold: "application"
// for 01, 03 and 23, "confirmation" for 02, 04 and 24, "" (no check) otherwise.
func BusinessCheck(fileType string) string {
	switch fileType {
	case "01", "03", "23":
		return "application"
	case "02", "04", "24":
		return "confirmation"
	}
	return ""
}

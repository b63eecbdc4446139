package fund

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// IDTypes are the identity document types a channel registers, with what
// each is (the GB/T 39595 certificate types of individuals and
// institutions, named).
var IDTypes = []struct{ Type, Name string }{
	{"resident_id", "Resident identity card 居民身份证"},
	{"passport", "Passport 护照"},
	{"hk_macau_permit", "Mainland travel permit for Hong Kong and Macao residents 港澳居民来往内地通行证"},
	{"taiwan_permit", "Mainland travel permit for Taiwan residents 台湾居民来往大陆通行证"},
	{"foreign_passport", "Foreign passport 外国护照"},
	{"business_licence", "Business licence (unified social credit code) 营业执照"},
	{"organisation_code", "Organisation code certificate 组织机构代码证"},
}

// CheckPersonal checks personal data before it is sealed, as a desk would:
// the name, a known document type and a number of its form — a resident
// identity card's 18 characters with its birth date and GB 11643 check
// character, a unified social credit code's GB 32100 check character —
// and a phone number of digits. The chain never sees the data in the
// clear, so this check is the channel's (the CLI and the console run it).
func CheckPersonal(d PersonalData) error {
	if strings.TrimSpace(d.Name) == "" || utf8.RuneCountInString(d.Name) > 100 || !utf8.ValidString(d.Name) || hasControl(d.Name) {
		return fmt.Errorf("name: 1 to 100 characters are required")
	}
	known := false
	for _, t := range IDTypes {
		known = known || t.Type == d.IDType
	}
	if !known {
		names := make([]string, len(IDTypes))
		for i, t := range IDTypes {
			names[i] = t.Type
		}
		return fmt.Errorf("id type %q: want one of %s", d.IDType, strings.Join(names, ", "))
	}
	switch d.IDType {
	case "resident_id":
		if err := checkResidentID(d.IDNumber); err != nil {
			return err
		}
	case "business_licence":
		if err := checkCreditCode(d.IDNumber); err != nil {
			return err
		}
	default:
		if len(d.IDNumber) < 5 || len(d.IDNumber) > 32 || strings.IndexFunc(d.IDNumber, func(r rune) bool {
			return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-')
		}) >= 0 {
			return fmt.Errorf("id number: 5 to 32 letters, digits or '-' for a %s", d.IDType)
		}
	}
	if d.Phone != "" {
		p := strings.TrimPrefix(d.Phone, "+")
		if len(p) < 7 || len(p) > 20 || strings.IndexFunc(p, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '-' || r == ' ') }) >= 0 {
			return fmt.Errorf("phone %q: 7 to 20 digits (a leading + and - or spaces allowed)", d.Phone)
		}
	}
	if utf8.RuneCountInString(d.Address) > 200 || hasControl(d.Address) {
		return fmt.Errorf("address: at most 200 characters on one line")
	}
	return nil
}

func hasControl(s string) bool { return strings.IndexFunc(s, unicode.IsControl) >= 0 }

// checkResidentID checks an 18-character resident identity card number
// (GB 11643-1999): 17 digits, a valid birth date at 7-14, and the check
// character (ISO 7064 MOD 11-2: 0-9 or X).
func checkResidentID(s string) error {
	if len(s) != 18 {
		return fmt.Errorf("resident id number: 18 characters, not %d", len(s))
	}
	sum := 0
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return fmt.Errorf("resident id number: the first 17 characters are digits")
		}
		sum += int(c-'0') * weights[i]
	}
	if _, err := time.Parse("20060102", s[6:14]); err != nil {
		return fmt.Errorf("resident id number: characters 7 to 14 are not a birth date (%s)", s[6:14])
	}
	want := "10X98765432"[sum%11]
	if got := s[17]; got != want && !(want == 'X' && got == 'x') {
		return fmt.Errorf("resident id number: the check character is %c, not %c: a digit is mistyped", want, got)
	}
	return nil
}

// checkCreditCode checks an 18-character unified social credit code
// (GB 32100-2015) with its check character.
func checkCreditCode(s string) error {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	if len(s) != 18 {
		return fmt.Errorf("unified social credit code: 18 characters, not %d", len(s))
	}
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(alphabet, s[i])
		if v < 0 {
			return fmt.Errorf("unified social credit code: %q is not one of its characters (digits and A-Y without I, O, S, V, Z)", s[i])
		}
		sum += v * weights[i]
	}
	c := (31 - sum%31) % 31
	if s[17] != alphabet[c] {
		return fmt.Errorf("unified social credit code: the check character is %c, not %c: a character is mistyped", alphabet[c], s[17])
	}
	return nil
}

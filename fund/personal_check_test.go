package fund

import (
	"strings"
	"testing"
)

func TestCheckPersonal(t *testing.T) {
	ok := []PersonalData{
		{Name: "Zhang San", IDType: "resident_id", IDNumber: "11010519491231002X", Phone: "13800000000"},
		{Name: "张三", IDType: "resident_id", IDNumber: "11010519491231002x"},
		{Name: "Example Co", IDType: "business_licence", IDNumber: "91350100M000100Y43"},
		{Name: "John Smith", IDType: "passport", IDNumber: "E12345678", Phone: "+86 138-0000-0000", Address: "1 Example Road, Beijing"},
	}
	for _, d := range ok {
		if err := CheckPersonal(d); err != nil {
			t.Errorf("%+v: %v", d, err)
		}
	}
	bad := []struct {
		d    PersonalData
		want string
	}{
		{PersonalData{IDType: "resident_id", IDNumber: "11010519491231002X"}, "name"},
		{PersonalData{Name: "a", IDType: "id_card", IDNumber: "1"}, "want one of"},
		{PersonalData{Name: "a", IDType: "resident_id", IDNumber: "110105194912310021"}, "check character is X"},
		{PersonalData{Name: "a", IDType: "resident_id", IDNumber: "11010519491331002X"}, "birth date"},
		{PersonalData{Name: "a", IDType: "resident_id", IDNumber: "1101051949123100"}, "18 characters"},
		{PersonalData{Name: "a", IDType: "resident_id", IDNumber: "1101051949123100AX"}, "digits"},
		{PersonalData{Name: "a", IDType: "business_licence", IDNumber: "91350100M000100Y44"}, "check character"},
		{PersonalData{Name: "a", IDType: "business_licence", IDNumber: "91350100M000100I43"}, "not one of"},
		{PersonalData{Name: "a", IDType: "passport", IDNumber: "E1"}, "5 to 32"},
		{PersonalData{Name: "a", IDType: "passport", IDNumber: "E12345678", Phone: "call me"}, "phone"},
		{PersonalData{Name: "a\nb", IDType: "passport", IDNumber: "E12345678"}, "name"},
	}
	for _, c := range bad {
		err := CheckPersonal(c.d)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error naming %q", c.d, err, c.want)
		}
	}
}

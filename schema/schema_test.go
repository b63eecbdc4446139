package schema_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/otcchain/otcchain/schema"
)

type money int64

func (m money) MarshalText() ([]byte, error) { return []byte("1.00"), nil }
func (money) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "pattern": `^[0-9]+\.[0-9]{2}$`}
}

type undeclared int

func (undeclared) MarshalText() ([]byte, error) { return []byte("x"), nil }

type Inner struct {
	A    string `json:"a"`
	Same string `json:"same"`
}

type Other struct {
	Same string `json:"same"`
}

type List[T any] struct {
	Items []T `json:"items"`
}

type Thing struct {
	*Inner
	Other
	ID       string          `json:"id"`
	Skip     string          `json:"-"`
	Opt      int             `json:"opt,omitempty"`
	Ptr      *Inner          `json:"ptr"`
	OptPtr   *Inner          `json:"opt_ptr,omitempty"`
	Tags     []string        `json:"tags"`
	Bytes    []byte          `json:"bytes,omitempty"`
	Meta     map[string]int  `json:"meta,omitempty"`
	When     time.Time       `json:"when"`
	Raw      json.RawMessage `json:"raw,omitempty"`
	Price    money           `json:"price"`
	Count    uint64          `json:"count,string"`
	Untagged bool
	private  int
	Nested   List[*Inner] `json:"nested"`
}

func TestGenerate(t *testing.T) {
	g := schema.New()
	s, err := g.Schema(reflect.TypeFor[*Thing]())
	if err != nil {
		t.Fatal(err)
	}
	if s["$ref"] != "#/components/schemas/schema_test.Thing" {
		t.Fatalf("root %v", s)
	}
	thing := g.Components()["schema_test.Thing"]
	props := thing["properties"].(map[string]any)
	var names []string
	for k := range props {
		names = append(names, k)
	}
	// "same" is at one depth in Inner and Other, both tagged: dropped.
	for _, want := range []string{"a", "id", "opt", "ptr", "opt_ptr", "tags", "bytes", "meta", "when", "raw", "price", "count", "Untagged", "nested"} {
		if props[want] == nil {
			t.Errorf("no property %s in %v", want, names)
		}
	}
	for _, no := range []string{"same", "Skip", "-", "private", "Inner", "Other"} {
		if props[no] != nil {
			t.Errorf("property %s", no)
		}
	}
	req := strings.Join(thing["required"].([]string), ",")
	if req != "a,id,ptr,tags,when,price,count,Untagged,nested" {
		t.Errorf("required %s", req)
	}
	if p := props["ptr"].(map[string]any); p["nullable"] != true || p["allOf"] == nil {
		t.Errorf("ptr %v", p)
	}
	if p := props["opt_ptr"].(map[string]any); p["$ref"] != "#/components/schemas/schema_test.Inner" {
		t.Errorf("opt_ptr %v", p)
	}
	if p := props["bytes"].(map[string]any); p["format"] != "byte" || p["nullable"] != nil {
		t.Errorf("bytes %v", p)
	}
	if p := props["when"].(map[string]any); p["format"] != "date-time" {
		t.Errorf("when %v", p)
	}
	if p := props["count"].(map[string]any); p["type"] != "string" {
		t.Errorf("count %v", p)
	}
	if _, ok := g.Components()["schema_test.InnerList"]; !ok {
		t.Errorf("components %v", g.Components())
	}

	v := Thing{Inner: &Inner{A: "x"}, ID: "1", Tags: nil, When: time.Unix(0, 0).UTC(), Nested: List[*Inner]{Items: []*Inner{{A: "y"}}}}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var dec any
	_ = json.Unmarshal(b, &dec)
	if err := schema.Validate(g.Components(), s, dec); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	dec.(map[string]any)["extra"] = 1
	if err := schema.Validate(g.Components(), s, dec); err == nil {
		t.Fatal("an undeclared field passed")
	}
	delete(dec.(map[string]any), "extra")
	delete(dec.(map[string]any), "id")
	if err := schema.Validate(g.Components(), s, dec); err == nil {
		t.Fatal("a missing field passed")
	}
	dec.(map[string]any)["id"] = 3
	if err := schema.Validate(g.Components(), s, dec); err == nil {
		t.Fatal("a number passed for a string")
	}
}

func TestUndeclaredMarshaler(t *testing.T) {
	type wrap struct {
		U []undeclared `json:"u"`
	}
	_, err := schema.New().Schema(reflect.TypeFor[wrap]())
	if err == nil || !strings.Contains(err.Error(), "JSONSchema") {
		t.Fatalf("err %v", err)
	}
	if _, err := schema.New().Schema(reflect.TypeFor[func()]()); err == nil {
		t.Fatal("a func was described")
	}
}

func TestName(t *testing.T) {
	for _, c := range []struct {
		t    reflect.Type
		want string
	}{
		{reflect.TypeFor[Thing](), "schema_test.Thing"},
		{reflect.TypeFor[List[*Inner]](), "schema_test.InnerList"},
		{reflect.TypeFor[List[string]](), "schema_test.StringList"},
		{reflect.TypeFor[time.Duration](), "time.Duration"},
	} {
		if got := schema.Name(c.t); got != c.want {
			t.Errorf("%v: %s, want %s", c.t, got, c.want)
		}
	}
}

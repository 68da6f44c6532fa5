package mapping_test

import (
	"errors"
	"fmt"
	"testing/fstest"

	"github.com/dispatchcenter/connectors/mapping"
	"github.com/dispatchcenter/connectors/mapping/canonical"
)

// Loading mappings from files, and reloading after an operator's edit: a bad edit is
// refused with every problem listed, and the last good mapping stays in force.
func ExampleLoader() {
	type contact struct {
		Ref   string `json:"ref"`
		Phone string `json:"phone"`
	}
	reg := mapping.NewRegistry()
	reg.RegisterType("crm.Contact", contact{})
	reg.RegisterType("canonical.Customer", canonical.Customer{})
	files := fstest.MapFS{"contact.yaml": {Data: []byte(`
name: crm-contact
version: 1
source: crm.Contact
target: canonical.Customer
fields:
  - {target: id, source: ref, required: true, pipeline: [id]}
  - {target: phone, source: phone, pipeline: [phone(US)]}
`)}}
	l := mapping.NewLoader(files, reg)
	if err := l.Load(); err != nil {
		panic(err)
	}
	m, _ := l.Mapping("crm-contact")
	c, err := mapping.Map[canonical.Customer](m, contact{Ref: "A-17", Phone: "(512) 555-0142"})
	fmt.Println(c.ID, c.Phone, err)

	files["contact.yaml"] = &fstest.MapFile{Data: []byte(`
name: crm-contact
version: 2
source: crm.Contact
target: canonical.Customer
fields:
  - {target: id, source: reference}
  - {target: phone, source: phone, pipeline: [phone(US), sparkle]}
`)}
	err = l.Load()
	var se *mapping.SpecError
	fmt.Println(errors.As(err, &se), len(se.Problems))
	m, _ = l.Mapping("crm-contact")
	fmt.Println("in force: version", m.Version())
	// Output:
	// A17 +15125550142 <nil>
	// true 2
	// in force: version 1
}

// A record's problems come together, each with who must act and how.
func ExampleRecordError() {
	type contact struct {
		Ref   string `json:"ref"`
		Email string `json:"email"`
	}
	reg := mapping.NewRegistry()
	reg.RegisterType("crm.Contact", contact{})
	reg.RegisterType("canonical.Customer", canonical.Customer{})
	spec, _ := mapping.ParseSpec([]byte(`
name: crm-contact
version: 1
source: crm.Contact
target: canonical.Customer
fields:
  - {target: id, source: ref, required: true}
  - {target: email, source: email, pipeline: [email]}
`))
	m, _ := mapping.Compile(spec, reg)
	_, err := mapping.Map[canonical.Customer](m, contact{Email: "Ada <ada@example.com>"})
	var re *mapping.RecordError
	errors.As(err, &re)
	for _, fe := range re.Errors {
		fmt.Printf("%s %s %s value=%q\n", fe.Target, fe.Code, fe.Class, fe.Value)
		fmt.Println("  ", fe.Action())
	}
	// Output:
	// id required_missing data value=""
	//    Fill in the field in the source system, then reprocess the record.
	// email invalid_email data value="[redacted]"
	//    Correct the email address in the source system (one address, no name or comment), then reprocess.
}

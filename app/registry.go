package app

import (
	"fmt"
	"strings"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/tx"
)

// Registry holds the modules and their messages. Lookups use maps; anything
// that iterates (genesis, end-block, tables) uses the fixed module order.
type Registry struct {
	mods    []module.Module
	byName  map[string]module.Module
	msgs    map[string]*msgEntry
	msgList []*msgEntry
}

type msgEntry struct {
	spec module.MsgSpec
	mod  module.Module
}

// NewRegistry checks and indexes modules: names unique and not reserved,
// message types "<module>/<name>" and unique, every message with a role list.
func NewRegistry(mods ...module.Module) (*Registry, error) {
	r := &Registry{byName: map[string]module.Module{}, msgs: map[string]*msgEntry{}}
	for _, m := range mods {
		name := m.Name()
		if name == "" || name == "app" || name == "params" || strings.ContainsAny(name, "/") {
			return nil, fmt.Errorf("app: invalid module name %q", name)
		}
		if _, dup := r.byName[name]; dup {
			return nil, fmt.Errorf("app: module %q registered twice", name)
		}
		r.byName[name] = m
		r.mods = append(r.mods, m)
		for _, q := range m.Queries() {
			if q.Answer() == nil {
				return nil, fmt.Errorf("app: query %q of module %q has no handler and answer type (build it with module.Query)", q.Path, name)
			}
		}
		for _, s := range m.Msgs() {
			if !strings.HasPrefix(s.Type, name+"/") {
				return nil, fmt.Errorf("app: message %q of module %q must start with %q", s.Type, name, name+"/")
			}
			if _, dup := r.msgs[s.Type]; dup || s.Type == tx.BatchMsgType {
				return nil, fmt.Errorf("app: message type %q registered twice", s.Type)
			}
			if s.New == nil || s.Handle == nil {
				return nil, fmt.Errorf("app: message %q lacks New or Handle", s.Type)
			}
			e := &msgEntry{spec: s, mod: m}
			r.msgs[s.Type] = e
			r.msgList = append(r.msgList, e)
		}
	}
	return r, nil
}

// Modules returns the modules in registration order.
func (r *Registry) Modules() []module.Module { return r.mods }

// Module returns the named module.
func (r *Registry) Module(name string) (module.Module, bool) {
	m, ok := r.byName[name]
	return m, ok
}

// RoleRow is one row of the role x message table.
type RoleRow struct {
	Type      string
	Batchable bool
	Allowed   map[module.Role]bool
}

// RoleTable returns the role x message table in registration order (docs and
// the cell-by-cell test use it).
func (r *Registry) RoleTable() []RoleRow {
	out := make([]RoleRow, 0, len(r.msgList))
	for _, e := range r.msgList {
		row := RoleRow{Type: e.spec.Type, Batchable: e.spec.Batchable, Allowed: map[module.Role]bool{}}
		for _, role := range module.AllRoles() {
			row.Allowed[role] = e.spec.Allows(role)
		}
		out = append(out, row)
	}
	return out
}

// AllCodes returns every result code of the app and its modules.
func (r *Registry) AllCodes() []*module.Error {
	out := Codes.All()
	for _, m := range r.mods {
		out = append(out, m.Codes().All()...)
	}
	return out
}

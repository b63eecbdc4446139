package member

// Key layout inside the module's prefix ("member/"):
//
//	org/<org id>                   -> Org JSON
//	id/<identity id>               -> Record JSON
//	orgid/<org id>/<identity id>   -> empty (identities of an organisation)
func orgKey(id string) []byte        { return []byte("org/" + id) }
func idKey(id string) []byte         { return []byte("id/" + id) }
func orgIDKey(org, id string) []byte { return []byte("orgid/" + org + "/" + id) }
func orgIDPrefix(org string) []byte  { return []byte("orgid/" + org + "/") }
func orgPrefix() []byte              { return []byte("org/") }

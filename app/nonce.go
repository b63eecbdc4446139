package app

import (
	"encoding/binary"

	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/state"
)

// Replay protection: a signer's nonce is remembered until the tx's expiry
// height has passed, then pruned at the start of a block. Both keys are
// hashed state (a replayed tx is refused by consensus, not by local memory).
//
//	app/nonce/<signer>/<nonce>                 -> expiry (8 bytes, big endian)
//	app/nexp/<expiry 8 bytes>/<signer>/<nonce> -> empty
func nonceKey(signer, nonce string) []byte { return []byte("app/nonce/" + signer + "/" + nonce) }

func nonceExpKey(expiry int64, signer, nonce string) []byte {
	k := append([]byte("app/nexp/"), heightBytes(expiry)...)
	return append(k, "/"+signer+"/"+nonce...)
}

func recordNonce(kv module.KV, signer, nonce string, expiry int64) error {
	if err := kv.Set(nonceKey(signer, nonce), heightBytes(expiry)); err != nil {
		return err
	}
	return kv.Set(nonceExpKey(expiry, signer, nonce), []byte{})
}

// pruneNonces forgets nonces of txs that expired before height: they can no
// longer be included, so their replay record is no longer needed.
func (a *App) pruneNonces(blk *state.Block, height int64) error {
	start := []byte("app/nexp/")
	end := nonceExpKey(height, "", "")[:len("app/nexp/")+8] // expiry < height
	var keys [][]byte
	err := blk.Iterate(start, end, func(k, _ []byte) bool {
		keys = append(keys, append([]byte(nil), k...))
		return true
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		rest := string(k[len("app/nexp/")+8+1:]) // signer/nonce
		if err := blk.Delete([]byte("app/nonce/" + rest)); err != nil {
			return err
		}
		if err := blk.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

var _ = binary.BigEndian

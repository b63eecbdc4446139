// Package baseline is the minimal CometBFT application that otcchain's
// throughput is compared with (`otc bench --target both`): each tx is an
// Ed25519 public key, a signature and a payload; CheckTx verifies the
// signature, FinalizeBlock verifies it again and writes one key to pebble,
// Commit writes the block in one synced batch. No identities, no nonces, no
// modules: the cost of consensus, networking, one signature check per
// stage and one durable write per tx — the floor any real app pays.
package baseline

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/cockroachdb/pebble/v2"
	abci "github.com/cometbft/cometbft/abci/types"
)

// Tx layout: public key (32) | signature (64) | payload (the signed bytes).
const minTx = ed25519.PublicKeySize + ed25519.SignatureSize + 1

// NewTx signs payload with key.
func NewTx(key ed25519.PrivateKey, payload []byte) []byte {
	out := make([]byte, 0, minTx+len(payload))
	out = append(out, key.Public().(ed25519.PublicKey)...)
	out = append(out, ed25519.Sign(key, payload)...)
	return append(out, payload...)
}

func verify(tx []byte) bool {
	if len(tx) < minTx {
		return false
	}
	return ed25519.Verify(tx[:32], tx[96:], tx[32:96])
}

// App is the baseline application.
type App struct {
	abci.BaseApplication
	mu     sync.Mutex
	db     *pebble.DB
	batch  *pebble.Batch
	height int64
	hash   []byte
}

var _ abci.Application = (*App)(nil)

var (
	keyHeight = []byte("\x00height")
	keyHash   = []byte("\x00hash")
)

// Open opens (or creates) the baseline state in dir.
func Open(dir string) (*App, error) {
	db, err := pebble.Open(dir, &pebble.Options{})
	if err != nil {
		return nil, fmt.Errorf("baseline: open: %w", err)
	}
	a := &App{db: db, hash: make([]byte, 32)}
	if v, c, err := db.Get(keyHeight); err == nil {
		a.height = int64(binary.BigEndian.Uint64(v))
		c.Close()
		h, c2, err := db.Get(keyHash)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("baseline: read hash: %w", err)
		}
		a.hash = append([]byte(nil), h...)
		c2.Close()
	} else if !errors.Is(err, pebble.ErrNotFound) {
		db.Close()
		return nil, err
	}
	return a, nil
}

// Close closes the state.
func (a *App) Close() error { return a.db.Close() }

// Info implements abci.Application.
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return &abci.ResponseInfo{LastBlockHeight: a.height, LastBlockAppHash: a.hash}, nil
}

// InitChain implements abci.Application.
func (a *App) InitChain(context.Context, *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	return &abci.ResponseInitChain{AppHash: a.hash}, nil
}

// CheckTx implements abci.Application.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	if req.Type == abci.CheckTxType_Recheck {
		return &abci.ResponseCheckTx{}, nil
	}
	if !verify(req.Tx) {
		return &abci.ResponseCheckTx{Code: 1, Log: "bad signature"}, nil
	}
	return &abci.ResponseCheckTx{}, nil
}

// FinalizeBlock implements abci.Application.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.batch = a.db.NewBatch()
	res := make([]*abci.ExecTxResult, len(req.Txs))
	h := sha256.New()
	h.Write(a.hash)
	for i, tx := range req.Txs {
		if !verify(tx) {
			res[i] = &abci.ExecTxResult{Code: 1, Log: "bad signature"}
			continue
		}
		k := sha256.Sum256(tx)
		if err := a.batch.Set(k[:], tx[96:], nil); err != nil {
			return nil, err
		}
		h.Write(k[:])
		res[i] = &abci.ExecTxResult{}
	}
	if len(req.Txs) > 0 {
		a.hash = h.Sum(nil)
	}
	a.height = req.Height
	var hb [8]byte
	binary.BigEndian.PutUint64(hb[:], uint64(a.height))
	if err := a.batch.Set(keyHeight, hb[:], nil); err != nil {
		return nil, err
	}
	if err := a.batch.Set(keyHash, a.hash, nil); err != nil {
		return nil, err
	}
	return &abci.ResponseFinalizeBlock{TxResults: res, AppHash: a.hash}, nil
}

// Commit implements abci.Application.
func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.batch == nil {
		return &abci.ResponseCommit{}, nil
	}
	err := a.batch.Commit(pebble.Sync)
	a.batch.Close()
	a.batch = nil
	return &abci.ResponseCommit{}, err
}

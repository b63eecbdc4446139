package api

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/otcchain/otcchain/client"
)

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	st, err := s.cfg.RPC.Status(ctx)
	if err != nil {
		return nodeUnavailable("status", err)
	}
	var vals []client.Validator
	if st.SyncInfo.LatestBlockHeight == 0 && s.cfg.Genesis != nil {
		// Before the first block CometBFT has no validator set to report:
		// the genesis validators are the ones that will sign it.
		vals = genesisValidators(s.cfg.Genesis)
	} else if vals, err = s.validators(ctx); err != nil {
		return err
	}
	sim, offset := s.clockOffset()
	blockTime := st.SyncInfo.LatestBlockTime.UTC()
	writeJSON(w, http.StatusOK, client.Status{
		ChainID:         st.NodeInfo.Network,
		NodeID:          string(st.NodeInfo.DefaultNodeID),
		Moniker:         st.NodeInfo.Moniker,
		LatestHeight:    st.SyncInfo.LatestBlockHeight,
		LatestBlockHash: strings.ToLower(st.SyncInfo.LatestBlockHash.String()),
		LatestAppHash:   strings.ToLower(st.SyncInfo.LatestAppHash.String()),
		LatestBlockTime: blockTime,
		BusinessTime:    blockTime.Add(offset),
		ClockSimulated:  sim,
		ClockOffset:     int64(offset / time.Second),
		EarliestHeight:  st.SyncInfo.EarliestBlockHeight,
		CatchingUp:      st.SyncInfo.CatchingUp,
		Validators:      vals,
	})
	return nil
}

func genesisValidators(g *cmttypes.GenesisDoc) []client.Validator {
	out := make([]client.Validator, 0, len(g.Validators))
	for _, v := range g.Validators {
		cv := client.Validator{Address: hex.EncodeToString(v.Address), Power: v.Power}
		if v.PubKey != nil {
			cv.PubKey = client.PubKey{Type: v.PubKey.Type(), Value: v.PubKey.Bytes()}
		}
		out = append(out, cv)
	}
	return out
}

// validators returns the latest validator set, all pages of it.
func (s *Server) validators(ctx context.Context) ([]client.Validator, error) {
	const perPage = 100
	out := []client.Validator{}
	var height *int64
	for page := 1; ; page++ {
		p, pp := page, perPage
		res, err := s.cfg.RPC.Validators(ctx, height, &p, &pp)
		if err != nil {
			return nil, nodeUnavailable("validators", err)
		}
		h := res.BlockHeight
		height = &h // every page from the same height
		for _, v := range res.Validators {
			cv := client.Validator{Address: hex.EncodeToString(v.Address), Power: v.VotingPower}
			if v.PubKey != nil {
				cv.PubKey = client.PubKey{Type: v.PubKey.Type(), Value: v.PubKey.Bytes()}
			}
			out = append(out, cv)
		}
		if len(res.Validators) == 0 || len(out) >= res.Total {
			return out, nil
		}
	}
}

func (s *Server) handleGenesis(w http.ResponseWriter, _ *http.Request) error {
	if s.cfg.Genesis == nil {
		return errorf(http.StatusNotFound, client.CodeNotFound, "this server has no genesis document configured")
	}
	b, err := cmtjson.Marshal(s.cfg.Genesis)
	if err != nil {
		return err
	}
	writeRawJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, _ *http.Request) error {
	writeRawJSON(w, http.StatusOK, openAPIDoc)
	return nil
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	s.promHandler.ServeHTTP(w, r)
	return nil
}

func newPromHandler(g prometheus.Gatherer, log *slog.Logger) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      promLogger{log},
	})
}

// promLogger adapts slog to promhttp's logger.
type promLogger struct{ log *slog.Logger }

var _ promhttp.Logger = promLogger{}

func (l promLogger) Println(v ...any) {
	l.log.Warn("api: metrics", "err", strings.TrimSpace(fmt.Sprintln(v...)))
}

// MaxBlocks bounds one GET /v1/blocks answer (CometBFT's BlockchainInfo
// gives at most 20 headers a call).
const MaxBlocks = 100

// handleBlocks lists block headers, newest first: ?before=H (the first
// height not listed; default: after the latest) and ?limit=N (1 to
// MaxBlocks, default 20). Headers are public chain data (heights, times,
// hashes, tx counts), like GET /v1/status.
func (s *Server) handleBlocks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxBlocks {
			return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "limit must be 1 to %d", MaxBlocks)
		}
		limit = n
	}
	ctx := r.Context()
	st, err := s.cfg.RPC.Status(ctx)
	if err != nil {
		return nodeUnavailable("status", err)
	}
	out := client.Blocks{Blocks: []client.BlockMeta{}, Earliest: st.SyncInfo.EarliestBlockHeight, Latest: st.SyncInfo.LatestBlockHeight}
	top := out.Latest
	if v := q.Get("before"); v != "" {
		h, err := parseHeight(v)
		if err != nil {
			return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "before=%q: %v", v, err)
		}
		top = min(top, h-1)
	}
	for top >= max(out.Earliest, 1) && len(out.Blocks) < limit {
		lo := max(max(out.Earliest, 1), top-int64(min(20, limit-len(out.Blocks)))+1)
		res, err := s.cfg.RPC.BlockchainInfo(ctx, lo, top)
		if err != nil {
			return nodeUnavailable("blockchain info", err)
		}
		for _, m := range res.BlockMetas { // newest first
			out.Blocks = append(out.Blocks, client.BlockMeta{
				Height: m.Header.Height, Time: m.Header.Time.UTC(), Hash: strings.ToLower(m.BlockID.Hash.String()),
				NumTxs: m.NumTxs, Proposer: strings.ToLower(m.Header.ProposerAddress.String()), AppHash: strings.ToLower(m.Header.AppHash.String()),
			})
		}
		top = lo - 1
	}
	writeJSON(w, http.StatusOK, &out)
	return nil
}

package api

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/fund"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/ofd"
	"github.com/otcchain/otcchain/ofd/chain"
)

// maxOFDBody bounds an uploaded OFD file (a 100,000-record 03 file with
// every field is 66.5 MB).
const maxOFDBody = 512 << 20

// OFDCheckLine is one line of the POST /v1/ofd/check answer: a record's
// mapping or refusal (chain.Mapping), a bad record ("invalid", the codec's
// error), or the final summary.
type OFDCheckLine struct {
	*chain.Mapping
	Summary *OFDCheckSummary `json:"summary,omitempty"`
}

// OFDCheckSummary ends the answer. FileOK false means the file is refused
// whole: a client must submit nothing of it.
type OFDCheckSummary struct {
	FileType  string    `json:"file_type"`
	Records   int       `json:"records"`
	Mapped    int       `json:"mapped"`
	Refused   int       `json:"refused"`
	Invalid   int       `json:"invalid"`
	TradeDate fund.Date `json:"trade_date,omitempty"`
	FileOK    bool      `json:"file_ok"`
	Error     string    `json:"error,omitempty"`
}

// handleOFDCheck validates and maps an uploaded 01 or 03 file without
// signing anything (keys never leave the client): it streams one JSON line
// per record as it reads, then the summary. A header the mapper cannot use
// is a 400 before anything is streamed.
func (s *Server) handleOFDCheck(w http.ResponseWriter, r *http.Request) error {
	caller, err := s.caller(r)
	if err != nil {
		return err
	}
	if caller == nil {
		return invalidToken("checking OFD files is for authenticated members: log in (POST /v1/auth/token) and send the bearer token")
	}
	if caller.Role == module.RoleInvestor || caller.Role == module.RoleSeal {
		return errorf(http.StatusForbidden, "not_permitted", "role %s does not exchange files", caller.Role)
	}
	opts, err := s.ofdOptions(r, caller)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(blobIOTimeout))
	// Records are answered while the file still arrives: HTTP/1.1 full
	// duplex (net/http would otherwise stop reading the body at the first
	// flushed answer).
	_ = rc.EnableFullDuplex()
	rd := ofd.NewReader(r.Body)
	h, err := rd.Header()
	if err != nil {
		drainBody(r)
		return ofdBodyError(err)
	}
	m, err := chain.NewMapper(h, *opts)
	if err != nil {
		drainBody(r)
		return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "%v", err)
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	sum := &OFDCheckSummary{FileType: h.FileType, TradeDate: opts.TradeDate}
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		var oe *ofd.Error
		if errors.As(err, &oe) && !oe.Fatal() {
			sum.Records++
			sum.Invalid++
			if err := enc.Encode(OFDCheckLine{Mapping: &chain.Mapping{Line: oe.Line, Status: "invalid", Code: oe.Code, Reason: oe.Error()}}); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			sum.Error = ofdErrText(err)
			break
		}
		sum.Records++
		mp := m.Map(rec)
		if mp.Status == chain.StatusRefused {
			sum.Refused++
		} else {
			sum.Mapped++
		}
		if err := enc.Encode(OFDCheckLine{Mapping: mp}); err != nil {
			return err
		}
		if sum.Records%1000 == 0 {
			if err := bw.Flush(); err != nil {
				return err
			}
			_ = rc.Flush()
		}
	}
	sum.FileOK = sum.Error == "" && sum.Invalid == 0
	s.metrics.ofdRecords.WithLabelValues(h.FileType, "mapped").Add(float64(sum.Mapped))
	s.metrics.ofdRecords.WithLabelValues(h.FileType, "refused").Add(float64(sum.Refused))
	s.metrics.ofdRecords.WithLabelValues(h.FileType, "invalid").Add(float64(sum.Invalid))
	if !sum.FileOK && sum.Error == "" {
		sum.Error = fmt.Sprintf("%d invalid record(s): the file is refused whole, submit nothing of it", sum.Invalid)
	}
	if err := enc.Encode(OFDCheckLine{Summary: sum}); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_ = rc.Flush()
	return nil
}

// ofdErrText is a reading error for the summary (a body over the limit says so).
func ofdErrText(err error) string {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return fmt.Sprintf("the file exceeds %d bytes", mb.Limit)
	}
	return err.Error()
}

// ofdDrainLimit bounds what drainBody reads of a refused upload.
const ofdDrainLimit = 64 << 20

// drainBody reads and drops the rest of a request body the handler refuses
// after starting to read it (a bad header, an unknown code in it), up to
// ofdDrainLimit: the client, still sending the file, then gets the answer
// instead of a connection reset under its upload. Beyond the limit the
// server answers and closes as usual.
func drainBody(r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, ofdDrainLimit))
}

func ofdBodyError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return errorf(http.StatusRequestEntityTooLarge, client.CodeBodyTooLarge, "the file exceeds %d bytes", mb.Limit)
	}
	var oe *ofd.Error
	if errors.As(err, &oe) {
		return errorf(http.StatusBadRequest, client.CodeInvalidRequest, "%v", err)
	}
	return err
}

// ofdOptions: the caller's organisation is the channel when it sells
// (reseller, fund manager); codes are every organisation's own id plus the
// distributor=CODE:ORG and ta=CODE:ORG parameters; the trade date is the
// one an order sent now gets (trade_date=YYYY-MM-DD overrides it,
// any_date=true only warns).
func (s *Server) ofdOptions(r *http.Request, caller *module.Identity) (*chain.MapOptions, error) {
	q := r.URL.Query()
	o := &chain.MapOptions{AnyDate: q.Get("any_date") == "true"}
	if caller.Role == module.RoleReseller || caller.Role == module.RoleFundManager {
		o.Channel = caller.Org
	}
	v, err := s.cfg.App.Read("member/orgs", nil, caller)
	if err != nil {
		return nil, err
	}
	var orgs []member.Org
	if b, err := json.Marshal(v); err != nil || json.Unmarshal(b, &orgs) != nil {
		return nil, errors.New("api: member/orgs answer is not a list of organisations")
	}
	extra := &chain.Codes{Distributors: map[string]string{}, TAs: map[string]string{}}
	for name, dst := range map[string]map[string]string{"distributor": extra.Distributors, "ta": extra.TAs} {
		for _, kv := range q[name] {
			code, org, ok := strings.Cut(kv, ":")
			if !ok || code == "" || org == "" {
				return nil, errorf(http.StatusBadRequest, client.CodeInvalidRequest, "%s=%q: want CODE:ORG", name, kv)
			}
			dst[code] = org
		}
	}
	if err := extra.Validate(); err != nil {
		return nil, errorf(http.StatusBadRequest, client.CodeInvalidRequest, "%v", err)
	}
	o.Codes = chain.DefaultCodes(orgs).Merge(extra)
	if d := q.Get("trade_date"); d != "" {
		if o.TradeDate, err = fund.ParseDate(d); err != nil {
			return nil, errorf(http.StatusBadRequest, client.CodeInvalidRequest, "trade_date: %v", err)
		}
		return o, nil
	}
	cv, err := s.cfg.App.Read("fund/calendar", nil, caller)
	if err != nil {
		return nil, err
	}
	var cal fund.Calendar
	if b, err := json.Marshal(cv); err != nil || json.Unmarshal(b, &cal) != nil {
		return nil, errors.New("api: fund/calendar answer is not a calendar")
	}
	if o.TradeDate, err = fund.TradeDate(time.Now(), cal); err != nil {
		return nil, errorf(http.StatusBadRequest, client.CodeInvalidRequest, "the chain's trade date: %v", err)
	}
	return o, nil
}

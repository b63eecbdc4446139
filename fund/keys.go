package fund

import (
	"encoding/binary"
	"fmt"

	"github.com/otcchain/otcchain/module"
)

// Key layout inside the module's prefix ("fund/"). Dates are 8 digits
// (YYYYMMDD) so that keys sort by date; sequences are 8 bytes big-endian.
//
//	cal                                   -> Calendar JSON
//	calwarn                               -> the calendar end date the expiry alert was asked for (calchange.go)
//	seq/<name>                            -> uint64 counter (ta, tr, order, job)
//	f/<fund>                              -> Fund JSON
//	nav/<fund>/<date>                     -> NAVRecord JSON
//	inv/<investor>                        -> Investor JSON
//	ta/<ta account>                       -> TAAccount JSON
//	tr/<transaction account>              -> investor id
//	ack/<investor>/<fund>                 -> risk disclosure acknowledgement JSON
//	h/<fund>/<investor>                   -> Holding JSON
//	hi/<investor>/<fund>                  -> empty (holdings of an investor)
//	o/<channel>:<app no>                  -> Order JSON
//	oi/<investor>/<seq>                   -> order id (orders of an investor)
//	od/<channel>/<trade date>/<seq>       -> order id (orders of a channel by date)
//	q/<fund>/<trade date>/<seq>           -> order id (pending, waiting for the NAV of the date; 00000000: subscriptions)
//	dl/<fund>/<trade date>/<investor>     -> Amount (purchases of the day, for the daily limit)
//	tot/<fund>                            -> Totals JSON
//	dv/<fund>/<ex date>                   -> Dividend JSON
//	po/<fund>/<ex date>/<investor>        -> Payout JSON
//	job/<seq>                             -> Job JSON (work the end-block does in bounded chunks)
//	ad/<channel>/<date>/<ta account>      -> empty (accounts opened on a date; query_ofd.go)
//	cd/<channel>/<conf date>/<seq>        -> order id (orders confirmed, failed or cancelled on a date; query_ofd.go)
func calKey() []byte                 { return []byte("cal") }
func seqKey(name string) []byte      { return []byte("seq/" + name) }
func fundKey(code string) []byte     { return []byte("f/" + code) }
func fundPrefix() []byte             { return []byte("f/") }
func navKey(f string, d Date) []byte { return []byte("nav/" + f + "/" + dateKey(d)) }
func navPrefix(f string) []byte      { return []byte("nav/" + f + "/") }
func investorKey(id string) []byte   { return []byte("inv/" + id) }
func taKey(id string) []byte         { return []byte("ta/" + id) }
func transKey(id string) []byte      { return []byte("tr/" + id) }
func ackKey(inv, f string) []byte    { return []byte("ack/" + inv + "/" + f) }
func holdingKey(f, inv string) []byte {
	return []byte("h/" + f + "/" + inv)
}
func holdingPrefix(f string) []byte        { return []byte("h/" + f + "/") }
func holdingIndexKey(inv, f string) []byte { return []byte("hi/" + inv + "/" + f) }
func holdingIndexPrefix(inv string) []byte { return []byte("hi/" + inv + "/") }
func orderKey(id string) []byte            { return []byte("o/" + id) }
func investorOrderKey(inv string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte("oi/"+inv+"/"), seq)
}
func investorOrderPrefix(inv string) []byte { return []byte("oi/" + inv + "/") }
func channelOrderKey(ch string, d Date, seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte("od/"+ch+"/"+dateKey(d)+"/"), seq)
}
func channelOrderPrefix(ch string, d Date) []byte { return []byte("od/" + ch + "/" + dateKey(d) + "/") }
func queueKey(f string, d Date, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(queuePrefix(f, d), seq)
}
func queuePrefix(f string, d Date) []byte { return append(queueFundPrefix(f), dateKey(d)+"/"...) }
func queueFundPrefix(f string) []byte     { return []byte("q/" + f + "/") }
func dailyKey(f string, d Date, inv string) []byte {
	return []byte("dl/" + f + "/" + dateKey(d) + "/" + inv)
}
func totalsKey(f string) []byte            { return []byte("tot/" + f) }
func dividendKey(f string, ex Date) []byte { return []byte("dv/" + f + "/" + dateKey(ex)) }
func dividendPrefix(f string) []byte       { return []byte("dv/" + f + "/") }
func payoutKey(f string, ex Date, inv string) []byte {
	return []byte("po/" + f + "/" + dateKey(ex) + "/" + inv)
}
func payoutPrefix(f string, ex Date) []byte { return []byte("po/" + f + "/" + dateKey(ex) + "/") }
func jobKey(seq uint64) []byte              { return binary.BigEndian.AppendUint64([]byte("job/"), seq) }
func jobPrefix() []byte                     { return []byte("job/") }

// dateKey is the 8-digit form of a date; 0 (no date) is "00000000".
func dateKey(d Date) string {
	if d == 0 {
		return "00000000"
	}
	return fmt.Sprintf("%04d%02d%02d", d.Year(), int(d.Month()), d.Day())
}

// dateFromKey reads dateKey's form back ("00000000" is 0).
func dateFromKey(k string) (Date, error) {
	if k == "00000000" {
		return 0, nil
	}
	if len(k) != 8 {
		return 0, fmt.Errorf("%w: %q, want 8 digits", ErrInvalidDate, k)
	}
	return ParseDate(k[0:4] + "-" + k[4:6] + "-" + k[6:8])
}

// nextSeq increments and returns a named counter (first value 1).
func nextSeq(kv module.KV, name string) (uint64, error) {
	b, err := kv.Get(seqKey(name))
	if err != nil {
		return 0, err
	}
	var n uint64
	if len(b) == 8 {
		n = binary.BigEndian.Uint64(b)
	}
	n++
	return n, kv.Set(seqKey(name), binary.BigEndian.AppendUint64(nil, n))
}

package certificate

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// Page geometry, in mm (A4 portrait).
const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
	bodyW        = pageW - 2*margin
	labelW       = 52.0
	valueW       = bodyW - labelW
	cellPad      = 1.1
	lineH        = 3.8
	qrSize       = 42.0
	bottom       = pageH - margin - 4 // lowest y of content (the footer is below)

	// maxValueRunes bounds a table value (a file name, a reason, a message
	// field: whatever a tx carried), so that a certificate stays a few pages.
	maxValueRunes = 1500
)

// pen writes text that mixes Chinese and Latin: each run of text in the font
// that has its glyphs (isCJK), at one size.
type pen struct {
	f    *fpdf.Fpdf
	size float64
}

type run struct {
	cjk bool
	s   string
}

func runs(s string) []run {
	var out []run
	for _, r := range s {
		c := isCJK(r)
		if len(out) > 0 && out[len(out)-1].cjk == c {
			out[len(out)-1].s += string(r)
			continue
		}
		out = append(out, run{c, string(r)})
	}
	return out
}

func (p *pen) font(cjk bool) {
	if cjk {
		p.f.SetFont(cjkFamily, "", p.size)
	} else {
		p.f.SetFont(latinFamily, "", p.size)
	}
}

func (p *pen) width(s string) float64 {
	w := 0.0
	for _, r := range runs(s) {
		p.font(r.cjk)
		w += p.f.GetStringWidth(r.s)
	}
	return w
}

// text draws s with the top of its line at y.
func (p *pen) text(x, y, h float64, s string) {
	base := y + h*0.5 + p.size*0.3527*0.35 // centre the x-height in the line
	for _, r := range runs(s) {
		p.font(r.cjk)
		p.f.Text(x, base, r.s)
		x += p.f.GetStringWidth(r.s)
	}
}

// wrap breaks s (with its own newlines) into lines no wider than w: at
// spaces, between CJK characters, and inside a word (a hash) too long for
// a line.
func (p *pen) wrap(s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		indent := ""
		if t := strings.TrimLeft(para, " "); t != para {
			indent = para[:len(para)-len(t)]
		}
		line := indent
		for _, tok := range tokens(strings.TrimLeft(para, " ")) {
			if p.width(line+tok) <= w {
				line += tok
				continue
			}
			if strings.TrimSpace(line) != "" {
				out = append(out, strings.TrimRight(line, " "))
				line = indent
				tok = strings.TrimLeft(tok, " ")
			}
			if p.width(line+tok) > w {
				// A token wider than a line (a hash): cut it, rune by rune.
				lw := p.width(line)
				for _, r := range tok {
					rw := p.width(string(r))
					if lw+rw > w && strings.TrimSpace(line) != "" {
						out = append(out, line)
						line, lw = indent, p.width(indent)
					}
					line += string(r)
					lw += rw
				}
				continue
			}
			line += tok
		}
		out = append(out, strings.TrimRight(line, " "))
	}
	return out
}

// tokens splits text into words with their leading spaces, each CJK
// character on its own.
func tokens(s string) []string {
	var out []string
	cur := ""
	for _, r := range s {
		switch {
		case isCJK(r):
			if cur != "" {
				out = append(out, cur)
			}
			out, cur = append(out, string(r)), ""
		case unicode.IsSpace(r) && strings.TrimSpace(cur) != "":
			out, cur = append(out, cur), string(r)
		default:
			cur += string(r)
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// render lays out a certificate as a PDF. Its dates are the block time and
// fpdf writes objects in a fixed order (SetCatalogSort), so the bytes depend
// on the content alone.
func render(c *content, receipt []byte, blockTime time.Time) ([]byte, error) {
	fb, err := fonts()
	if err != nil {
		return nil, err
	}
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(blockTime.UTC())
	f.SetModificationDate(blockTime.UTC())
	f.SetCompression(true)
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(false, margin)
	f.AddUTF8FontFromBytes(cjkFamily, "", fb[0])
	f.AddUTF8FontFromBytes(latinFamily, "", fb[1])
	f.SetTitle(c.title+" / "+c.titleEN, true)
	f.SetSubject(c.ref.String(), true)
	f.SetCreator("otcchain certificate", true)
	f.SetProducer("otcchain (codeberg.org/go-pdf/fpdf)", true)
	f.SetLang("zh-CN")
	f.SetAttachments([]fpdf.Attachment{{Content: receipt, Filename: "receipt.json", Description: "the receipt this certificate states (otc verify receipt.json)"}})
	p := &pen{f: f}
	f.SetFooterFunc(func() {
		// Called from AddPage, between measuring a row and drawing it.
		size := p.size
		defer func() { p.size = size }()
		p.size = 7
		f.SetTextColor(110, 110, 110)
		left := "otcchain · " + c.ref.ChainID + " · " + refName(c.ref) + " · receipt SHA-256 " + short(c.ref.SHA256)
		p.text(margin, pageH-margin, 4, left)
		pg := fmt.Sprintf("%d / {nb}", f.PageNo())
		p.text(pageW-margin-p.width(fmt.Sprintf("%d / %d", f.PageNo(), f.PageNo())), pageH-margin, 4, pg)
		f.SetTextColor(0, 0, 0)
	})
	f.AliasNbPages("{nb}")
	f.AddPage()

	// Title.
	y := margin
	p.size = 17
	p.text(margin, y, 8, c.title)
	y += 8.5
	p.size = 11.5
	for _, l := range p.wrap(c.titleEN, bodyW) {
		p.text(margin, y, 5.5, l)
		y += 5.5
	}
	if c.subtitle != "" {
		p.size = 8.5
		f.SetTextColor(60, 60, 60)
		for _, l := range p.wrap(c.subtitle, bodyW) {
			p.text(margin, y, 4.4, l)
			y += 4.4
		}
		f.SetTextColor(0, 0, 0)
	}
	f.SetDrawColor(150, 30, 30)
	f.SetLineWidth(0.6)
	y += 1.5
	f.Line(margin, y, pageW-margin, y)
	f.SetY(y + 3)

	for _, s := range c.sections {
		if s.note != "" {
			note(p, s.note)
			continue
		}
		heading(p, s.heading)
		for _, r := range s.rows {
			if strings.HasPrefix(r.label, "回执 SHA-256") {
				r.value = c.ref.SHA256 + "\n(of the attached file receipt.json)"
			}
			tableRow(p, r)
		}
		f.SetY(f.GetY() + 3)
	}
	verification(p, c)
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		return nil, fmt.Errorf("certificate: pdf: %w", err)
	}
	return b.Bytes(), nil
}

func refName(r Ref) string {
	if r.OutcomeKey != "" {
		return r.OutcomeKey
	}
	return "tx " + short(r.TxHash)
}

// room adds a page when h more mm do not fit.
func room(f *fpdf.Fpdf, h float64) {
	if f.GetY()+h > bottom {
		f.AddPage()
	}
}

func heading(p *pen, s string) {
	room(p.f, 7+2*(lineH+2*cellPad))
	p.size = 10.5
	p.f.SetTextColor(150, 30, 30)
	y := p.f.GetY()
	p.text(margin, y, 6.5, s)
	p.f.SetTextColor(0, 0, 0)
	p.f.SetY(y + 7)
}

func note(p *pen, s string) {
	p.size = 7.5
	lines := p.wrap(s, bodyW)
	room(p.f, float64(len(lines))*3.6+2)
	p.f.SetTextColor(80, 80, 80)
	y := p.f.GetY()
	for _, l := range lines {
		p.text(margin, y, 3.6, l)
		y += 3.6
	}
	p.f.SetTextColor(0, 0, 0)
	p.f.SetY(y + 3)
}

func tableRow(p *pen, r row) {
	f := p.f
	p.size = 8
	ll := p.wrap(clipText(r.label, 200), labelW-2*cellPad)
	vl := p.wrap(clipText(r.value, maxValueRunes), valueW-2*cellPad)
	n := max(len(ll), len(vl), 1)
	h := float64(n)*lineH + 2*cellPad
	room(f, h)
	x, y := margin, f.GetY()
	f.SetDrawColor(190, 190, 190)
	f.SetLineWidth(0.2)
	f.SetFillColor(243, 243, 243)
	f.Rect(x, y, labelW, h, "FD")
	f.Rect(x+labelW, y, valueW, h, "D")
	f.SetTextColor(70, 70, 70)
	for i, l := range ll {
		p.text(x+cellPad, y+cellPad+float64(i)*lineH, lineH, l)
	}
	f.SetTextColor(0, 0, 0)
	for i, l := range vl {
		p.text(x+labelW+cellPad, y+cellPad+float64(i)*lineH, lineH, l)
	}
	f.SetY(y + h)
}

// verification is the closing block: the verification statement and how to
// check the certificate, beside the QR code.
func verification(p *pen, c *content) {
	f := p.f
	textW := bodyW - qrSize - 6
	p.size = 7.8
	statement := "本证明依据所附回执（receipt.json）出具，出具前已对照上述信任根验证：区块头由验证节点签名，" + whatZH(c) + "经默克尔证明包含于区块中。证据是回执本身，而非本文件。\n" +
		"Made from the attached receipt (receipt.json), verified against the trust root above: the block headers are signed by the validators and the " +
		what(c) + " proven in the block by Merkle proofs. The receipt, not this PDF, is the evidence.\n" +
		"To check it: extract receipt.json (pdfdetach -save 1 certificate.pdf, or the PDF viewer's attachments); its SHA-256 must be the one above and in the QR code. Then run\n" +
		"    otc verify receipt.json --genesis genesis.json\n" +
		"(or --trusted-header CHECKPOINT), or give it and the chain's genesis file to the /verify/ page of any node. " +
		"The QR code also says where to fetch the receipt: " + c.ref.Fetch
	lines := p.wrap(statement, textW)
	const lh = 3.7
	room(f, max(float64(len(lines))*lh, qrSize+4)+7)
	heading(p, "验证 / Verification")
	y := f.GetY()
	p.size = 7.8
	for i, l := range lines {
		p.text(margin, y+float64(i)*lh, lh, l)
	}
	qr(f, c.ref.String(), pageW-margin-qrSize, y)
	p.size = 6.5
	f.SetTextColor(90, 90, 90)
	p.text(pageW-margin-qrSize+(qrSize-p.width(QRVersion))/2, y+qrSize, 3.5, QRVersion)
	f.SetTextColor(0, 0, 0)
	f.SetY(max(y+float64(len(lines))*lh, y+qrSize+4))
}

func what(c *content) string {
	if c.ref.OutcomeKey != "" {
		return "end-block outcome is"
	}
	return "transaction and its result are"
}

func whatZH(c *content) string {
	if c.ref.OutcomeKey != "" {
		return "该区块末记录"
	}
	return "该交易及其结果"
}

// qr draws the payload as a QR code of filled squares (medium error
// correction, with its quiet zone) at x, y.
func qr(f *fpdf.Fpdf, payload string, x, y float64) {
	q, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return // cannot happen below MaxQRBytes
	}
	bm := q.Bitmap()
	m := qrSize / float64(len(bm))
	f.SetFillColor(0, 0, 0)
	for j, line := range bm {
		for i := 0; i < len(line); {
			if !line[i] {
				i++
				continue
			}
			k := i
			for k < len(line) && line[k] {
				k++
			}
			f.Rect(x+float64(i)*m, y+float64(j)*m, float64(k-i)*m, m, "F")
			i = k
		}
	}
}

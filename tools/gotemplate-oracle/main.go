// gotemplate-oracle renders one template with Go's own text/template and Sprig 3.2.3, as the
// differential reference for weir's libs/gotemplate. It reads {"template": "...", "data": {...},
// "missingkey": "default|zero|error"} on stdin (or one such object per line with -lines, answering
// one JSON line {"out": "...", "err": "..."} each) and prints the output, or the error on stderr
// with exit code 1, like `weir helm render-template`. With -bench N it renders the request N
// times and prints the mean nanoseconds per render (tests/bench/gotemplate).
//
// JSON numbers become int64 when they are integers that fit and float64 otherwise, the same rule
// as weir::parse_json, so both engines see the same data.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/sprig" // Debian installs Sprig v3.2.3 here
)

type request struct {
	Template   string          `json:"template"`
	Data       json.RawMessage `json:"data"`
	MissingKey string          `json:"missingkey"`
}

type answer struct {
	Out string `json:"out"`
	Err string `json:"err,omitempty"`
}

func convert(v interface{}) interface{} {
	switch t := v.(type) {
	case json.Number:
		s := string(t)
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case map[string]interface{}:
		for k, e := range t {
			t[k] = convert(e)
		}
		return t
	case []interface{}:
		for i, e := range t {
			t[i] = convert(e)
		}
		return t
	}
	return v
}

func decodeData(raw json.RawMessage) (interface{}, error) {
	var data interface{}
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil {
			return nil, err
		}
		data = convert(data)
	}
	return data, nil
}

func render(req request) (out string, err error) {
	data, err := decodeData(req.Data)
	if err != nil {
		return "", err
	}
	return renderData(req, data)
}

func renderData(req request, data interface{}) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	t := template.New("render-template").Funcs(sprig.TxtFuncMap())
	if req.MissingKey != "" {
		t = t.Option("missingkey=" + req.MissingKey)
	}
	if _, err := t.Parse(req.Template); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return buf.String(), err
	}
	return buf.String(), nil
}

// benchmark decodes the data once, then parses and executes the template n times, as a chart
// renderer does per release, and prints the mean nanoseconds per render.
func benchmark(req request, n int) {
	data, err := decodeData(req.Data)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		if _, err := renderData(req, data); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Println(time.Since(start).Nanoseconds() / int64(n))
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == "-bench" {
		var req request
		if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
			fmt.Fprintln(os.Stderr, "gotemplate-oracle: reading the request:", err)
			os.Exit(1)
		}
		n, _ := strconv.Atoi(os.Args[2])
		benchmark(req, n)
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "-lines" {
		in := bufio.NewScanner(os.Stdin)
		in.Buffer(make([]byte, 1<<20), 64<<20)
		enc := json.NewEncoder(os.Stdout)
		for in.Scan() {
			var req request
			var a answer
			if err := json.Unmarshal(in.Bytes(), &req); err != nil {
				a.Err = err.Error()
			} else if out, err := render(req); err != nil {
				a.Out, a.Err = out, err.Error()
			} else {
				a.Out = out
			}
			enc.Encode(a)
		}
		return
	}
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "gotemplate-oracle: reading the request:", err)
		os.Exit(1)
	}
	out, err := render(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.WriteString(out)
}

// go-engine renders a chart the way Helm's engine does (one text/template set with Sprig and
// include/tpl/required/toYaml/fromYaml/toJson, missingkey=zero, every template parsed and
// executed per render), N times, and prints the mean time per render. It is the Go side of
// tests/bench/helm: Debian ships no helm binary, so this stands in for Helm's engine. Library
// subcharts' templates join the set; application subcharts are not rendered.
//
//	go-engine CHART_DIR N [a.b=false]
package main

import (
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v2"
)

// versionSet is .Capabilities.APIVersions, with Helm's Has method.
type versionSet []string

func (v versionSet) Has(s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

// yaml.v2 gives map[interface{}]interface{}; Helm's values are map[string]interface{}.
func clean(v interface{}) interface{} {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := map[string]interface{}{}
		for k, e := range t {
			m[fmt.Sprint(k)] = clean(e)
		}
		return m
	case []interface{}:
		for i, e := range t {
			t[i] = clean(e)
		}
		return t
	case int:
		return float64(t)
	}
	return v
}

func render(files map[string]string, names []string, top map[string]interface{}) (int, error) {
	t := template.New("gotpl").Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var b strings.Builder
		err := t.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
	funcs["tpl"] = func(s string, data interface{}) (string, error) {
		c, _ := t.Clone()
		c, err := c.New("gotpl").Parse(s)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		err = c.Execute(&b, data)
		return b.String(), err
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil || v == "" {
			return v, fmt.Errorf(msg)
		}
		return v, nil
	}
	funcs["toYaml"] = func(v interface{}) string {
		b, _ := yaml.Marshal(v)
		return strings.TrimSuffix(string(b), "\n")
	}
	funcs["fromYaml"] = func(s string) map[string]interface{} {
		var m interface{}
		yaml.Unmarshal([]byte(s), &m)
		r, _ := clean(m).(map[string]interface{})
		return r
	}
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	funcs["toJson"] = func(v interface{}) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	t.Funcs(funcs)
	for _, n := range names {
		if _, err := t.New(n).Parse(files[n]); err != nil {
			return 0, err
		}
	}
	total := 0
	for _, n := range names {
		if strings.HasPrefix(filepath.Base(n), "_") || strings.HasSuffix(n, "NOTES.txt") {
			continue
		}
		top["Template"] = map[string]interface{}{"Name": n, "BasePath": "chart/templates"}
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, n, top); err != nil {
			return 0, err
		}
		total += len(strings.ReplaceAll(b.String(), "<no value>", ""))
	}
	return total, nil
}

func main() {
	dir := os.Args[1]
	n, _ := strconv.Atoi(os.Args[2])
	files := map[string]string{}
	var names []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		rel0, _ := filepath.Rel(dir, p)
		inTemplates := strings.HasPrefix(rel0, "templates/") || (strings.HasPrefix(rel0, "charts/") && strings.Contains(rel0, "/templates/_"))
		if err == nil && !info.IsDir() && inTemplates {
			b, _ := ioutil.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			name := filepath.Base(dir) + "/" + rel
			files[name] = string(b)
			names = append(names, name)
		}
		return nil
	})
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	var chartYaml, values interface{}
	b, _ := ioutil.ReadFile(filepath.Join(dir, "Chart.yaml"))
	yaml.Unmarshal(b, &chartYaml)
	b, _ = ioutil.ReadFile(filepath.Join(dir, "values.yaml"))
	yaml.Unmarshal(b, &values)
	if len(os.Args) > 3 { // one "a.b=false" override, enough to switch a feature off
		kv := strings.SplitN(os.Args[3], "=", 2)
		keys := strings.Split(kv[0], ".")
		m := clean(values).(map[string]interface{})
		values = m
		for _, k := range keys[:len(keys)-1] {
			m = m[k].(map[string]interface{})
		}
		m[keys[len(keys)-1]] = kv[1] == "true"
	}
	meta := clean(chartYaml).(map[string]interface{})
	chart := map[string]interface{}{"Name": meta["name"], "Version": meta["version"], "AppVersion": meta["appVersion"], "IsRoot": true}
	top := map[string]interface{}{
		"Values":  clean(values),
		"Chart":   chart,
		"Release": map[string]interface{}{"Name": "web", "Namespace": "default", "Revision": 1, "IsInstall": true, "IsUpgrade": false, "Service": "Helm"},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": "v1.32.0", "Major": "1", "Minor": "32", "GitVersion": "v1.32.0"},
			"APIVersions": versionSet{"v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "policy/v1", "autoscaling/v2"},
		},
		"Files": map[string]interface{}{},
	}
	size := 0
	start := time.Now()
	for i := 0; i < n; i++ {
		s, err := render(files, names, top)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		size = s
	}
	el := time.Since(start)
	fmt.Printf("go text/template+sprig: %d renders, %.3f ms per render, %d bytes each\n", n, float64(el.Microseconds())/1000/float64(n), size)
}

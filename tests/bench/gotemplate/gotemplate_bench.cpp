// Render time of weir's Go template engine against Go's text/template + Sprig (the oracle in
// tools/gotemplate-oracle, built here when `go` is installed), on templates shaped like chart
// templates. Each render parses and executes, as a chart renderer does per release; the values
// are decoded once. Not a test: it prints figures.
//
//   gotemplate_bench [iterations]
#include <weir/core/json.hpp>
#include <weir/gotemplate/template.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

using clock_type = std::chrono::steady_clock;

struct workload {
    const char* name;
    std::string text;
    std::string data;
};

std::string values_json()
{
    std::string env;
    for (int i = 0; i < 200; ++i)
        env += fmt::format("{}{{\"name\": \"VAR_{}\", \"value\": \"value-{}\"}}", i ? "," : "", i, i);
    return R"({"Release": {"Name": "web", "Namespace": "apps", "Service": "Helm"},
               "Chart": {"Name": "podinfo", "Version": "6.5.4", "AppVersion": "6.5.4"},
               "Values": {"replicaCount": 3, "image": {"repository": "ghcr.io/stefanprodan/podinfo", "tag": "", "pullPolicy": "IfNotPresent"},
                          "podAnnotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9898"},
                          "resources": {"limits": {"cpu": "1", "memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}},
                          "service": {"type": "ClusterIP", "port": 9898}, "ingress": {"enabled": true, "hosts": ["a.example.com", "b.example.com"]},
                          "nodeSelector": {}, "tolerations": [], "env": [)" +
           env + R"(]}})";
}

const char* deployment = R"({{- define "podinfo.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{ end }}
{{- end -}}
{{- define "podinfo.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ template "podinfo.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
{{ include_labels . | indent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    metadata:
      {{- with .Values.podAnnotations }}
      annotations:
        {{- range $k, $v := . }}
        {{ $k }}: {{ $v | quote }}
        {{- end }}
      {{- end }}
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
          env:
            {{- range .Values.env }}
            - name: {{ .name | upper | quote }}
              value: {{ .value | quote }}
            {{- end }}
          resources:
            limits:
              cpu: {{ .Values.resources.limits.cpu }}
              memory: {{ .Values.resources.limits.memory }}
      {{- if .Values.ingress.enabled }}
      hosts: {{ toJson .Values.ingress.hosts }}
      checksum: {{ toJson .Values | sha256sum }}
      {{- end }}
)";

std::string render_weir(const std::string& text, const weir::gotemplate::go_value& data,
                        const weir::gotemplate::function_table& functions)
{
    weir::gotemplate::template_set set(functions);
    if (auto st = set.parse("bench", text); !st) {
        std::fprintf(stderr, "parse: %s\n", st.err().message.c_str());
        std::exit(1);
    }
    auto out = set.execute("bench", data);
    if (!out) {
        std::fprintf(stderr, "execute: %s\n", out.err().message.c_str());
        std::exit(1);
    }
    return *out;
}

std::string oracle()
{
    if (std::system("command -v go >/dev/null 2>&1") != 0) return {};
    auto out = std::filesystem::temp_directory_path() / "weir-gotemplate-bench" / "oracle";
    std::string cmd = std::string(WEIR_SOURCE_DIR) + "/tools/gotemplate-oracle/build.sh " + out.string() +
                      " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0 ? out.string() : std::string();
}

long go_ns_per_op(const std::string& oracle_bin, const workload& w, int iterations)
{
    auto dir = std::filesystem::temp_directory_path() / "weir-gotemplate-bench";
    std::ofstream(dir / "req.json") << "{\"template\":" << weir::json_quote(w.text) << ",\"data\":" << w.data
                                    << "}";
    std::string cmd =
        oracle_bin + " -bench " + std::to_string(iterations) + " < " + (dir / "req.json").string();
    FILE* p = popen(cmd.c_str(), "r");
    long ns = -1;
    if (p && std::fscanf(p, "%ld", &ns) != 1) ns = -1;
    if (p) pclose(p);
    return ns;
}

} // namespace

int main(int argc, char** argv)
{
    int iterations = argc > 1 ? std::atoi(argv[1]) : 200;
    std::string values = values_json();
    // Go's templates have no `include`: the deployment calls its label helper through `template`.
    std::string deploy = deployment;
    auto pos = deploy.find("{{ include_labels . | indent 4 }}");
    deploy.replace(pos, 33, "    {{- template \"podinfo.labels\" . }}");
    std::vector<workload> loads = {
        {"chart deployment (200 env vars)", deploy, values},
        {"range 10000 items with printf/if",
         R"({{ range $i, $e := until 10000 }}{{ if eq (mod $e 3) 0 }}{{ printf "%05d-%s\n" $e "fizz" }}{{ else }}{{ $e }}{{ end }}{{ end }})",
         "{}"},
        {"string pipeline x2000",
         R"({{ range until 2000 }}{{ "  Hello, World  " | trim | lower | replace "world" "weir" | title | quote | b64enc | b64dec }}
{{ end }})",
         "{}"},
        {"toJson/toPrettyJson of values x50",
         R"({{ range until 50 }}{{ toJson $.Values }}{{ toPrettyJson $.Values.resources }}{{ end }})",
         values},
    };
    auto functions = weir::gotemplate::function_table::with_sprig();
    std::string go = oracle();
    std::printf("%-36s %14s %14s %8s\n", "workload", "weir us/render", "go us/render", "speedup");
    for (const auto& w : loads) {
        auto data = weir::gotemplate::go_value::from(*weir::parse_json(w.data));
        render_weir(w.text, data, functions); // warm-up, and fail early on a broken template
        auto start = clock_type::now();
        std::size_t bytes = 0;
        for (int i = 0; i < iterations; ++i)
            bytes += render_weir(w.text, data, functions).size();
        double weir_us =
            std::chrono::duration<double, std::micro>(clock_type::now() - start).count() / iterations;
        long go_ns = go.empty() ? -1 : go_ns_per_op(go, w, iterations);
        if (go_ns > 0)
            std::printf("%-36s %14.1f %14.1f %7.1fx\n", w.name, weir_us, go_ns / 1000.0,
                        (go_ns / 1000.0) / weir_us);
        else
            std::printf("%-36s %14.1f %14s %8s\n", w.name, weir_us, "(no go)", "-");
        (void)bytes;
    }
}

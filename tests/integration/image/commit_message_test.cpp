// The commit message template data of image-automation-controller (a pure piece of the
// controller, tested here next to the loop that uses it).
#include "../../../controllers/image-automation-controller/commit_message.hpp"

#include <catch2/catch.hpp>

using namespace weir;

namespace {

image::commit_context two_changes()
{
    image::commit_context ctx{"auto", "flux-system", {{"env", "prod"}}, {}};
    ctx.changes.push_back(
        {"apps/a.yaml", {"web", "apps", "apps/v1", "Deployment"}, "r/web:1", "r/web:2", "apps:web"});
    ctx.changes.push_back(
        {"apps/a.yaml", {"web", "apps", "apps/v1", "Deployment"}, "1", "2", "apps:web:tag"});
    ctx.changes.push_back(
        {"apps/b.yaml", {"db", "apps", "apps/v1", "StatefulSet"}, "r/db:1", "r/db:3", "apps:db"});
    return ctx;
}

} // namespace

TEST_CASE("an empty template gives Flux's default commit message")
{
    auto m = image::render_commit_message("", two_changes());
    REQUIRE(m);
    CHECK(*m == "Update from image update automation");
}

TEST_CASE("the template sees the automation, the values, the changes, per file and per object")
{
    std::string tmpl =
        "{{ .AutomationObject.Namespace }}/{{ .AutomationObject.Name }} [{{ .Values.env }}]\n"
        "{{ range .Changed.Changes }}{{ .OldValue }}>{{ .NewValue }} {{ end }}\n"
        "{{ range $file, $objs := .Changed.FileChanges }}{{ $file }}:{{ len $objs }} {{ end }}\n"
        "{{ range $obj, $changes := .Changed.Objects }}{{ $obj }}={{ len $changes }} {{ end }}";
    auto m = image::render_commit_message(tmpl, two_changes());
    INFO((m ? "" : m.err().message));
    REQUIRE(m);
    CHECK(*m == "flux-system/auto [prod]\n"
                "r/web:1>r/web:2 1>2 r/db:1>r/db:3 \n"
                "apps/a.yaml:1 apps/b.yaml:1 \n"
                "{{apps/v1 Deployment} {web apps}}=2 {{apps/v1 StatefulSet} {db apps}}=1 ");
}

TEST_CASE("the commit template from Flux's docs ranges over objects keyed by their ObjectIdentifier")
{
    // The example from Flux's ImageUpdateAutomation documentation.
    std::string tmpl = R"(Automated image update

Automation name: {{ .AutomationObject }}

Files:
{{ range $filename, $_ := .Changed.FileChanges -}}
- {{ $filename }}
{{ end -}}

Objects:
{{ range $resource, $changes := .Changed.Objects -}}
- {{ $resource.Kind }} {{ $resource.Name }}
  Changes:
{{- range $_, $change := $changes }}
    - {{ $change.OldValue }} -> {{ $change.NewValue }}
{{ end -}}
{{ end -}})";
    auto ctx = two_changes();
    ctx.changes.push_back(
        {"apps/c.yaml", {"api", "apps", "apps/v1", "Deployment"}, "r/api:1", "r/api:2", "apps:api"});
    auto m = image::render_commit_message(tmpl, ctx);
    INFO((m ? "" : m.err().message));
    REQUIRE(m);
    CHECK(*m == "Automated image update\n\nAutomation name: map[Name:auto Namespace:flux-system]\n\n"
                "Files:\n- apps/a.yaml\n- apps/b.yaml\n- apps/c.yaml\n"
                "Objects:\n"
                "- Deployment api\n  Changes:\n    - r/api:1 -> r/api:2\n"
                "- Deployment web\n  Changes:\n    - r/web:1 -> r/web:2\n\n    - 1 -> 2\n"
                "- StatefulSet db\n  Changes:\n    - r/db:1 -> r/db:3\n");
    // The same objects per file, with the struct's fields.
    auto per_file = image::render_commit_message("{{ range $f, $objs := .Changed.FileChanges }}{{ range $o, "
                                                 "$c := $objs }}{{ $f }} {{ $o.APIVersion }} "
                                                 "{{ $o.Namespace }}/{{ $o.Name }};{{ end }}{{ end }}",
                                                 ctx);
    REQUIRE(per_file);
    CHECK(*per_file ==
          "apps/a.yaml apps/v1 apps/web;apps/b.yaml apps/v1 apps/db;apps/c.yaml apps/v1 apps/api;");
}

TEST_CASE("a template using the removed .Updated field is a terminal RemovedTemplateField error")
{
    auto m = image::render_commit_message("{{ range .Updated.Images }}{{ . }}{{ end }}", two_changes());
    REQUIRE(!m);
    CHECK(m.err().terminal());
    CHECK(m.err().reason == "RemovedTemplateField");
    CHECK(!image::check_template("{{ .Changed.Changes"));
    CHECK(image::check_template("{{ .UpdatedAt }} is not .Updated"));
}

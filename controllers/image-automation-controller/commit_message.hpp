// The commit message of an automation run: spec.git.commit.messageTemplate rendered with the Go
// template engine on Flux's template data:
//   .AutomationObject {Name, Namespace}   .Values (messageTemplateValues)
//   .Changed.Changes    [{OldValue, NewValue, Setter}]
//   .Changed.FileChanges {file: {object: [changes]}}   .Changed.Objects {object: [changes]}
// where an object key is Flux's ObjectIdentifier struct: `range $obj, $changes := .Changed.Objects`
// gives `$obj.Kind`, `.Name`, `.Namespace`, `.APIVersion`, iterates in Go's order for struct keys,
// and prints as Go prints the struct. `.Updated`, removed by Flux, is refused (RemovedTemplateField).
#pragma once

#include <weir/core/result.hpp>
#include <weir/setters/setters.hpp>

#include <map>
#include <string>
#include <vector>

namespace weir::image {

struct commit_context {
    std::string name, namespace_;
    std::map<std::string, std::string> values;
    std::vector<setters::change> changes;
};

// Terminal error when the template cannot parse or refers to the removed .Updated field.
status check_template(const std::string& tmpl);
result<std::string> render_commit_message(const std::string& tmpl, const commit_context& ctx);

} // namespace weir::image

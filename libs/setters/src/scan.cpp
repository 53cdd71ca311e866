#include "scan.hpp"

#include <yaml.h>

#include <memory>

namespace weir::setters::detail {

namespace {

struct parser_guard {
    yaml_parser_t p;
    parser_guard() { yaml_parser_initialize(&p); }
    ~parser_guard() { yaml_parser_delete(&p); }
};

struct event_guard {
    yaml_event_t e;
    ~event_guard() { yaml_event_delete(&e); }
};

// libyaml marks count characters; turn (line, column) into a byte offset.
class offsets {
public:
    explicit offsets(std::string_view text) : text_(text)
    {
        starts_.push_back(0);
        for (std::size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n') starts_.push_back(i + 1);
    }
    std::size_t at(std::size_t line, std::size_t column) const
    {
        if (line >= starts_.size()) return text_.size();
        std::size_t i = starts_[line];
        for (std::size_t c = 0; c < column && i < text_.size(); ++c) {
            auto b = static_cast<unsigned char>(text_[i]);
            i += b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        }
        return std::min(i, text_.size());
    }

private:
    std::string_view text_;
    std::vector<std::size_t> starts_;
};

struct frame {
    bool mapping = false;
    bool expect_key = true;
    std::string key; // the key whose value is being read (mappings)
};

// An anchor or tag precedes the scalar's own text in the event's range: step over them.
std::size_t skip_properties(std::string_view text, std::size_t i, std::size_t end)
{
    while (i < end && (text[i] == '&' || text[i] == '!')) {
        while (i < end && text[i] != ' ' && text[i] != '\t') ++i;
        while (i < end && (text[i] == ' ' || text[i] == '\t')) ++i;
    }
    return i;
}

} // namespace

result<scan_result> scan_values(std::string_view text)
{
    parser_guard g;
    yaml_parser_set_input_string(&g.p, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    offsets off(text);
    scan_result out;
    std::vector<frame> stack;
    std::size_t doc = 0;
    bool in_doc = false;
    while (true) {
        event_guard ev;
        if (!yaml_parser_parse(&g.p, &ev.e)) {
            std::string problem = g.p.problem ? g.p.problem : "parse error";
            return terminal_error("not valid YAML: " + problem + " at line " +
                                      std::to_string(g.p.problem_mark.line + 1) + " column " +
                                      std::to_string(g.p.problem_mark.column + 1),
                                  "InvalidYAML");
        }
        auto type = ev.e.type;
        if (type == YAML_STREAM_END_EVENT) break;
        if (type == YAML_DOCUMENT_START_EVENT) {
            in_doc = true;
            out.documents.emplace_back();
            stack.clear();
            continue;
        }
        if (type == YAML_DOCUMENT_END_EVENT) {
            if (in_doc) ++doc;
            in_doc = false;
            continue;
        }
        bool is_key = !stack.empty() && stack.back().mapping && stack.back().expect_key;
        std::size_t depth = stack.size();
        std::string parent_key = depth >= 2 ? stack[depth - 2].key : "";
        if (type == YAML_SCALAR_EVENT || type == YAML_ALIAS_EVENT) {
            std::string val = type == YAML_SCALAR_EVENT
                                  ? std::string(reinterpret_cast<const char*>(ev.e.data.scalar.value), ev.e.data.scalar.length)
                                  : std::string();
            if (is_key) {
                stack.back().key = val;
                stack.back().expect_key = false;
                continue;
            }
            if (type == YAML_SCALAR_EVENT) {
                scalar_site s;
                s.begin = skip_properties(text, off.at(ev.e.start_mark.line, ev.e.start_mark.column),
                                          off.at(ev.e.end_mark.line, ev.e.end_mark.column));
                s.end = off.at(ev.e.end_mark.line, ev.e.end_mark.column);
                s.line = ev.e.start_mark.line;
                s.single_line = ev.e.start_mark.line == ev.e.end_mark.line;
                switch (ev.e.data.scalar.style) {
                case YAML_PLAIN_SCALAR_STYLE: s.style = scalar_style::plain; break;
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: s.style = scalar_style::single_quoted; break;
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: s.style = scalar_style::double_quoted; break;
                default: s.style = scalar_style::other;
                }
                s.value = val;
                s.document = doc;
                // The object's identity: top-level apiVersion/kind, metadata.name/namespace.
                if (!out.documents.empty() && !stack.empty() && stack.back().mapping) {
                    object_id& id = out.documents.back();
                    const std::string& k = stack.back().key;
                    if (depth == 1 && k == "apiVersion") id.api_version = val;
                    if (depth == 1 && k == "kind") id.kind = val;
                    if (depth == 2 && parent_key == "metadata" && k == "name") id.name = val;
                    if (depth == 2 && parent_key == "metadata" && k == "namespace") id.namespace_ = val;
                }
                out.values.push_back(std::move(s));
            }
            if (!stack.empty() && stack.back().mapping) stack.back().expect_key = true;
            continue;
        }
        if (type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT) {
            if (is_key) stack.back().expect_key = false; // a complex key: its contents are not values we set
            stack.push_back({type == YAML_MAPPING_START_EVENT, true, {}});
            continue;
        }
        if (type == YAML_MAPPING_END_EVENT || type == YAML_SEQUENCE_END_EVENT) {
            if (!stack.empty()) stack.pop_back();
            if (!stack.empty() && stack.back().mapping) stack.back().expect_key = true;
        }
    }
    return out;
}

} // namespace weir::setters::detail

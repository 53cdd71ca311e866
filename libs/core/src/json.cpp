#include <weir/core/json.hpp>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fmt/format.h>

#include <cmath>

namespace weir {
namespace {

// Builds a weir::value from RapidJSON's SAX events.
class value_builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, value_builder> {
public:
    explicit value_builder(std::size_t max_depth) : max_depth_(max_depth) {}

    bool Null() { return put(value{}); }
    bool Bool(bool b) { return put(value{b}); }
    bool Int(int i) { return put(value{i}); }
    bool Uint(unsigned u) { return put(value{static_cast<long long>(u)}); }
    bool Int64(int64_t i) { return put(value{static_cast<long long>(i)}); }
    bool Uint64(uint64_t u)
    {
        if (u <= static_cast<uint64_t>(INT64_MAX)) return put(value{static_cast<long long>(u)});
        return put(value{static_cast<double>(u)});
    }
    bool Double(double d) { return put(value{d}); }
    bool String(const char* s, rapidjson::SizeType n, bool) { return put(value{std::string(s, n)}); }
    bool Key(const char* s, rapidjson::SizeType n, bool)
    {
        key_.assign(s, n);
        return true;
    }
    bool StartObject() { return open(value{object{}}); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool StartArray() { return open(value{array{}}); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    value take() { return std::move(root_); }
    bool too_deep() const { return too_deep_; }
    bool duplicate() const { return !duplicate_key_.empty(); }
    const std::string& duplicate_key() const { return duplicate_key_; }

private:
    bool put(value v)
    {
        if (stack_.empty()) {
            root_ = std::move(v);
            return true;
        }
        value& top = *stack_.back();
        if (top.is_array()) {
            top.as_array().push_back(std::move(v));
            return true;
        }
        object& o = top.as_object();
        if (o.contains(key_)) {
            duplicate_key_ = key_;
            return false;
        }
        o.push_back(std::move(key_), std::move(v));
        return true;
    }
    value* last_inserted()
    {
        if (stack_.empty()) return &root_;
        value& top = *stack_.back();
        if (top.is_array()) return &top.as_array().back();
        return &(top.as_object().end() - 1)->second;
    }
    bool open(value v)
    {
        if (stack_.size() >= max_depth_) {
            too_deep_ = true;
            return false;
        }
        if (!put(std::move(v))) return false;
        stack_.push_back(last_inserted());
        return true;
    }
    bool close()
    {
        stack_.pop_back();
        return true;
    }

    std::size_t max_depth_;
    value root_;
    std::vector<value*> stack_;
    std::string key_;
    bool too_deep_ = false;
    std::string duplicate_key_;
};

template <class Writer>
void write_value(Writer& w, const value& v)
{
    switch (v.type()) {
    case value::kind::null: w.Null(); break;
    case value::kind::boolean: w.Bool(v.as_bool()); break;
    case value::kind::integer: w.Int64(v.as_int()); break;
    case value::kind::number:
        // JSON has no infinities or NaN; write null as JavaScript's JSON.stringify does.
        if (std::isfinite(v.as_double())) w.Double(v.as_double());
        else w.Null();
        break;
    case value::kind::string:
        w.String(v.as_string().data(), static_cast<rapidjson::SizeType>(v.as_string().size()));
        break;
    case value::kind::array:
        w.StartArray();
        for (const auto& e : v.as_array()) write_value(w, e);
        w.EndArray();
        break;
    case value::kind::object:
        w.StartObject();
        for (const auto& [k, e] : v.as_object()) {
            w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
            write_value(w, e);
        }
        w.EndObject();
        break;
    }
}

} // namespace

result<value> parse_json(std::string_view text, json_parse_options options)
{
    // Pointers into parent containers stay valid: a container is only appended to while it is
    // the innermost open one, so its parent's storage does not move meanwhile.
    value_builder builder(options.max_depth);
    rapidjson::Reader reader;
    rapidjson::MemoryStream ms(text.data(), text.size());
    constexpr unsigned flags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag |
                               rapidjson::kParseFullPrecisionFlag | rapidjson::kParseStopWhenDoneFlag;
    rapidjson::ParseResult r = reader.Parse<flags>(ms, builder);
    if (!r) {
        if (builder.too_deep())
            return terminal_error(fmt::format("json: nesting deeper than {} levels at offset {}",
                                              options.max_depth, r.Offset()),
                                  "InvalidJSON");
        if (builder.duplicate())
            return terminal_error(
                fmt::format("json: duplicate key \"{}\" at offset {}", builder.duplicate_key(), r.Offset()),
                "InvalidJSON");
        return terminal_error(
            fmt::format("json: {} at offset {}", rapidjson::GetParseError_En(r.Code()), r.Offset()),
            "InvalidJSON");
    }
    // kParseStopWhenDoneFlag lets us reject trailing garbage ourselves, but allow whitespace.
    for (std::size_t i = ms.Tell(); i < text.size(); ++i) {
        char c = text[i];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            return terminal_error(fmt::format("json: unexpected data after the document at offset {}", i),
                                  "InvalidJSON");
    }
    return builder.take();
}

std::string to_json(const value& v, json_write_options options)
{
    rapidjson::StringBuffer buf;
    if (options.indent > 0) {
        rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
        w.SetIndent(' ', static_cast<unsigned>(options.indent));
        write_value(w, v);
    } else {
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        write_value(w, v);
    }
    return std::string(buf.GetString(), buf.GetSize());
}

void append_json(std::string& out, const value& v) { out += to_json(v); }

bool json_representable(const value& v)
{
    switch (v.type()) {
    case value::kind::number: return std::isfinite(v.as_double());
    case value::kind::array:
        for (const auto& e : v.as_array())
            if (!json_representable(e)) return false;
        return true;
    case value::kind::object:
        for (const auto& [k, e] : v.as_object())
            if (!json_representable(e)) return false;
        return true;
    default: return true;
    }
}

std::string json_quote(std::string_view s)
{
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return std::string(buf.GetString(), buf.GetSize());
}

} // namespace weir

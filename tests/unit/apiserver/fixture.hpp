// Private to the apiserver unit tests: an api on a fresh data directory, called without HTTP.
#pragma once

#include <weir/apiserver/api.hpp>
#include <weir/core/json.hpp>

#include <catch2/catch.hpp>

#include <filesystem>

namespace weir::test {

using namespace weir::apiserver;

struct fixture {
    std::filesystem::path dir;
    std::unique_ptr<api> a;
    fixture()
    {
        char tmpl[] = "/tmp/weir-api-test-XXXXXX";
        dir = mkdtemp(tmpl);
        auto r = api::open({.data_dir = dir, .token = "t0ken"});
        REQUIRE(r);
        a = std::move(r).value();
    }
    ~fixture()
    {
        a.reset();
        std::filesystem::remove_all(dir);
    }
    response call(std::string method, std::string target, std::string body = {},
                  std::string content_type = "application/json")
    {
        request r;
        r.method = std::move(method);
        auto q = target.find('?');
        r.path = target.substr(0, q);
        if (q != std::string::npos) r.query = target.substr(q + 1);
        r.authorization = "Bearer t0ken";
        r.content_type = std::move(content_type);
        r.user_agent = "unit-test/v1";
        r.body = std::move(body);
        return a->handle(r);
    }
    value json(const response& r)
    {
        auto v = parse_json(r.body);
        REQUIRE(v);
        return *v;
    }
};

} // namespace weir::test

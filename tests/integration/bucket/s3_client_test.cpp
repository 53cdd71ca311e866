// libs/objectstore against the S3 test server, whose every request is re-signed by aws-sdk-go's v4
// signer: listing pages, downloads of odd keys, the errors users see, TLS with a custom CA; and a
// differential test of sign_v4 against aws-sdk-go over generated requests.
#include "s3_server.hpp"

#include <weir/core/json.hpp>
#include <weir/objectstore/s3.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>

using namespace weir;
namespace fs = std::filesystem;

TEST_CASE("ListObjectsV2 follows continuation tokens over every page and gives keys in order with unquoted "
          "MD5 etags",
          "[objectstore][s3]")
{
    test::s3_server s3({.page_size = 2});
    std::map<std::string, std::string> objects{{"apps/a.yaml", "a: 1\n"},
                                               {"apps/b.yaml", "b: 2\n"},
                                               {"apps/c/d.yaml", "d\n"},
                                               {"z.txt", "z"},
                                               {"other/x", "x"}};
    for (const auto& [k, v] : objects)
        s3.put("fleet", k, v);
    objectstore::s3_client c(s3.client_options());

    auto all = c.list_objects("fleet", "");
    REQUIRE(all);
    REQUIRE(all->size() == objects.size());
    auto it = objects.begin();
    for (const auto& o : *all) {
        CHECK(o.key == it->first);
        CHECK(o.etag == test::md5_hex(it->second));
        CHECK(o.size == it->second.size());
        ++it;
    }
    CHECK(s3.count("list", "fleet", "") == 3); // 5 keys, 2 per page

    auto apps = c.list_objects("fleet", "apps/");
    REQUIRE(apps);
    CHECK(apps->size() == 3);
    CHECK(apps->back().key == "apps/c/d.yaml");
}

TEST_CASE("GetObject fetches keys with spaces, unicode and reserved characters, signed as AWS signs them",
          "[objectstore][s3]")
{
    test::s3_server s3;
    std::vector<std::string> keys{"dir with space/file.yaml", "caf\xc3\xa9/\xe2\x9c\x93.txt",
                                  "a+b=c,d;e@f!g*h'(i)", "tilde~/under_score/dash-dot.x"};
    for (const auto& k : keys)
        s3.put("b", k, "content of " + k);
    objectstore::s3_client c(s3.client_options());
    for (const auto& k : keys) {
        auto got = c.get_object("b", k);
        REQUIRE(got);
        CHECK(*got == "content of " + k);
    }
    auto listed = c.list_objects("b", "caf\xc3\xa9/");
    REQUIRE(listed);
    REQUIRE(listed->size() == 1);
    CHECK(listed->front().key == "caf\xc3\xa9/\xe2\x9c\x93.txt");
    CHECK(c.requests_sent() == keys.size() + 1);
}

TEST_CASE("a wrong secret key, an unknown access key, a missing bucket and a missing key each give an error "
          "naming the store's code and what to fix",
          "[objectstore][s3]")
{
    test::s3_server s3;
    s3.put("fleet", "a.yaml", "a");
    auto opts = s3.client_options();

    opts.credentials.secret_key = "not-the-secret";
    auto bad_secret = objectstore::s3_client(opts).list_objects("fleet", "");
    REQUIRE_FALSE(bad_secret);
    CHECK(bad_secret.err().reason == "AuthenticationFailed");
    CHECK(bad_secret.err().message.find("SignatureDoesNotMatch") != std::string::npos);
    CHECK(bad_secret.err().message.find("secretkey") != std::string::npos);

    opts = s3.client_options();
    opts.credentials.access_key = "nobody";
    auto bad_key = objectstore::s3_client(opts).list_objects("fleet", "");
    REQUIRE_FALSE(bad_key);
    CHECK(bad_key.err().message.find("InvalidAccessKeyId") != std::string::npos);

    opts = s3.client_options();
    opts.region = "eu-west-1"; // signed for another region than the store's
    auto bad_region = objectstore::s3_client(opts).list_objects("fleet", "");
    REQUIRE_FALSE(bad_region);
    CHECK(bad_region.err().reason == "AuthenticationFailed");

    objectstore::s3_client good(s3.client_options());
    auto no_bucket = good.list_objects("nope", "");
    REQUIRE_FALSE(no_bucket);
    CHECK(no_bucket.err().reason == "BucketNotFound");
    CHECK(no_bucket.err().message.find("spec.bucketName") != std::string::npos);

    auto no_key = good.get_object("fleet", "missing.yaml");
    REQUIRE_FALSE(no_key);
    CHECK(no_key.err().reason == "ObjectNotFound");
}

TEST_CASE("https to the store is verified against the CA given, and refused without it", "[objectstore][s3]")
{
    test::s3_server s3({.tls = true});
    s3.put("fleet", "a.yaml", "over tls");
    objectstore::s3_client trusted(s3.client_options());
    auto got = trusted.get_object("fleet", "a.yaml");
    REQUIRE(got);
    CHECK(*got == "over tls");

    auto opts = s3.client_options();
    opts.ca_pem.clear();
    auto refused = objectstore::s3_client(opts).get_object("fleet", "a.yaml");
    REQUIRE_FALSE(refused);
    CHECK(refused.err().reason == "Unreachable");
}

namespace {

// Whole characters only (multi-byte UTF-8 kept intact: JSON carries the requests to the oracle).
std::string random_text(std::mt19937& rng, std::size_t max_len)
{
    static const std::vector<std::string> alphabet{
        "a", "b", "c",  "X", "Y", "Z",  "0", "1", "8", "9", "-", "_",  ".",        "~",           " ", "/",
        "+", "=", "&",  "?", "%", "!",  "*", "'", "(", ")", ";", ":",  "@",        ",",           "$", "[",
        "]", "#", "\"", "<", ">", "\\", "^", "`", "{", "|", "}", "\t", "\xc3\xa9", "\xe2\x9c\x93"};
    std::uniform_int_distribution<std::size_t> len(1, max_len), pick(0, alphabet.size() - 1);
    std::string s;
    for (std::size_t n = len(rng); n > 0; --n)
        s += alphabet[pick(rng)];
    return s;
}

} // namespace

TEST_CASE("sign_v4 gives the same Authorization as aws-sdk-go's v4 signer for 300 generated requests",
          "[objectstore][sigv4]")
{
    std::mt19937 rng(20261122);
    std::vector<std::string> ours;
    std::string input;
    const std::vector<std::string> methods{"GET", "PUT", "HEAD", "DELETE"};
    const std::vector<std::string> regions{"us-east-1", "eu-central-1", "auto"};
    for (int i = 0; i < 300; ++i) {
        objectstore::signing_request req;
        req.method = methods[static_cast<std::size_t>(i) % methods.size()];
        req.host = i % 2 ? "127.0.0.1:9000" : "bucket.s3.amazonaws.com";
        // Paths as the client sends them: each key encoded once, '/' kept.
        req.path = "/" + objectstore::uri_encode("b/" + random_text(rng, 20), false);
        for (int q = i % 4; q > 0; --q)
            req.query.emplace_back("q" + std::to_string(q) + random_text(rng, 3), random_text(rng, 8));
        if (i % 3 == 0) req.headers.emplace_back("Content-Type", "  text/plain;   charset=utf-8 ");
        if (i % 5 == 0) req.headers.emplace_back("X-Amz-Meta-Note", random_text(rng, 6) + "x");
        req.payload_sha256 = i % 7 == 0 ? "UNSIGNED-PAYLOAD" : objectstore::sha256_hex(random_text(rng, 30));
        objectstore::aws_credentials creds{"AKID" + std::to_string(i), "secret/" + random_text(rng, 10),
                                           i % 6 == 0 ? "session-token-" + std::to_string(i) : ""};
        std::string region = regions[static_cast<std::size_t>(i) % regions.size()];
        auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000 + i * 86'413));

        auto headers = objectstore::sign_v4(req, creds, region, "s3", when);
        for (const auto& [k, v] : headers)
            if (k == "Authorization") ours.push_back(v);

        value line = object{};
        line["Method"] = req.method;
        line["Host"] = req.host;
        line["Path"] = req.path;
        line["Access"] = creds.access_key;
        line["Secret"] = creds.secret_key;
        line["Token"] = creds.session_token;
        line["Region"] = region;
        line["Service"] = "s3";
        line["Payload"] = req.payload_sha256;
        line["Time"] = static_cast<std::int64_t>(1'700'000'000 + i * 86'413);
        auto pairs = [](const objectstore::header_list& l) {
            value out = array{};
            for (const auto& [k, v] : l)
                out.as_array().push_back(array{value(k), value(v)});
            return out;
        };
        line["Query"] = pairs(req.query);
        line["Headers"] = pairs(req.headers);
        input += to_json(line) + "\n";
    }
    fs::path file = fs::temp_directory_path() / ("weir-sigv4-" + std::to_string(::getpid()) + ".jsonl");
    std::ofstream(file) << input;
    std::string out =
        test::run({"sh", "-c", "'" + test::s3_server::binary() + "' -sign < '" + file.string() + "'"});
    fs::remove(file);

    std::istringstream theirs(out);
    std::size_t same = 0, i = 0;
    for (std::string line; std::getline(theirs, line); ++i) {
        REQUIRE(i < ours.size());
        INFO("request " << i);
        CHECK(line == ours[i]);
        same += line == ours[i];
    }
    CHECK(i == ours.size());
    CHECK(same == ours.size());
}

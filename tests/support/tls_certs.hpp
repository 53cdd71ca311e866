// A throw-away CA and a server certificate for 127.0.0.1 made with the openssl CLI (EC keys: fast to
// make), for test peers that serve https: <dir>/ca.crt, server.crt, server.key.
//
//   test::make_server_certs(dir);  // then serve with dir/"server.crt", dir/"server.key"
#pragma once

#include "support/git_server.hpp"

#include <filesystem>
#include <fstream>

namespace weir::test {

inline void make_server_certs(const std::filesystem::path& d)
{
    auto p = [&](const char* f) { return (d / f).string(); };
    run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", p("ca.key"), "-out", p("ca.crt"), "-subj", "/CN=weir-test-ca", "-days", "2"});
    run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
         p("server.key"), "-out", p("server.csr"), "-subj", "/CN=127.0.0.1"});
    std::ofstream(d / "ext.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
    run({"openssl", "x509", "-req", "-in", p("server.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
         "-CAcreateserial", "-out", p("server.crt"), "-days", "2", "-extfile", p("ext.cnf")});
}

} // namespace weir::test

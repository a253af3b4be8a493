// Primary-key lookups per second: through sql/1 (the persistence plugin's service, via its C
// vtable and the C++ facade, exactly as a consumer plugin calls it) versus the same prepared
// query issued with plain libpqxx, over the same number of connections and threads.
//
//   bench_persistence --dsn DSN --mode sql1|pqxx --connections N --seconds S --rows R
// Prints one line: "<mode> <lookups_per_second> <lookups> <errors> <client_cpu_us_per_lookup>".
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "connection_pool.hpp"
#include "sql_service.hpp"
#include "valory/cpp/sql.hpp"

using namespace valory::plugins::persistence;

namespace {

constexpr const char* kQuery = "SELECT id, username, twitch_id FROM bench_users WHERE id = $1";

struct Args {
    std::string dsn;
    std::string mode = "sql1";
    int connections = 4;
    double seconds = 10;
    int rows = 100000;
};

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--dsn")
            a.dsn = v;
        else if (k == "--mode")
            a.mode = v;
        else if (k == "--connections")
            a.connections = std::stoi(v);
        else if (k == "--seconds")
            a.seconds = std::stod(v);
        else if (k == "--rows")
            a.rows = std::stoi(v);
        else
            throw std::runtime_error("unknown argument " + k);
    }
    if (a.dsn.empty()) throw std::runtime_error("--dsn is required");
    return a;
}

double cpuMicros = 0;  // client CPU (user + system) during the measured window

template <class Body>
std::pair<uint64_t, uint64_t> runThreads(const Args& a, Body body) {
    std::atomic<bool> go{false}, stop{false};
    std::atomic<uint64_t> total{0}, errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < a.connections; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937 rng(1234 + t);
            std::uniform_int_distribution<int> pick(1, a.rows);
            auto worker = body(t);  // per-thread setup (e.g. connect) before the clock starts
            while (!go) std::this_thread::yield();
            uint64_t n = 0, e = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                if (worker(pick(rng)))
                    ++n;
                else
                    ++e;
            }
            total += n;
            errors += e;
        });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let every thread finish setup
    struct rusage before {
    }, after{};
    ::getrusage(RUSAGE_SELF, &before);
    go = true;
    std::this_thread::sleep_for(std::chrono::duration<double>(a.seconds));
    stop = true;
    for (auto& th : threads) th.join();
    ::getrusage(RUSAGE_SELF, &after);
    auto us = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_usec);
    };
    cpuMicros = us(after.ru_utime) - us(before.ru_utime) + us(after.ru_stime) - us(before.ru_stime);
    return {total.load(), errors.load()};
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Args a = parse(argc, argv);
        const std::string conninfo = buildConninfo(a.dsn, "", 30000, 5);
        std::pair<uint64_t, uint64_t> r;
        if (a.mode == "sql1") {
            PoolOptions o;
            o.conninfo = conninfo;
            o.baseSize = static_cast<size_t>(a.connections);
            o.overflow = 0;
            auto pool = std::make_shared<ConnectionPool>(o);
            SqlService service(pool, nullptr, true, MigrateMode::Apply);
            valory::sdk::sql::Database db(SqlService::vtable(), &service);
            db.prepare("bench.user_by_id", kQuery);
            // Open every connection up front, as the libpqxx baseline does.
            {
                std::vector<valory::sdk::sql::Tx> warm;
                for (int i = 0; i < a.connections; ++i) warm.push_back(db.begin());
            }
            r = runThreads(a, [&](int) {
                return [&](int id) {
                    auto res = db.execPrepared("bench.user_by_id", {id}, VALORY_SQL_READ_ONLY);
                    std::string name(res.get(0, 1));
                    return res.rows() == 1 && !name.empty();
                };
            });
        } else if (a.mode == "pqxx") {
            std::vector<std::unique_ptr<pqxx::connection>> conns;
            for (int i = 0; i < a.connections; ++i) {
                conns.push_back(std::make_unique<pqxx::connection>(conninfo));
                conns.back()->prepare("bench.user_by_id", kQuery);
            }
            r = runThreads(a, [&](int t) {
                pqxx::connection* c = conns[static_cast<size_t>(t)].get();
                return [c](int id) {
                    try {
                        pqxx::nontransaction w(*c);
                        pqxx::result res = w.exec_prepared("bench.user_by_id", id);
                        std::string name(res[0][1].c_str(), res[0][1].size());
                        return res.size() == 1 && !name.empty();
                    } catch (const std::exception&) {
                        return false;
                    }
                };
            });
        } else {
            throw std::runtime_error("--mode must be sql1 or pqxx");
        }
        std::cout << a.mode << " " << static_cast<uint64_t>(static_cast<double>(r.first) / a.seconds) << " "
                  << r.first << " " << r.second << " "
                  << (r.first ? cpuMicros / static_cast<double>(r.first) : 0.0) << "\n";
        return r.second == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "bench_persistence: " << e.what() << "\n";
        return 2;
    }
}

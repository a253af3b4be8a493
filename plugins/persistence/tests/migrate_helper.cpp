// Helper process for the "two processes migrating at once" test: migrates `owner` with a fixed
// set (each migration sleeps to widen the race window) and prints one line per applied version.
#include <iostream>

#include "service_fixture.hpp"

using namespace valory::plugins::persistence;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: persistence_migrate_helper <dsn> <owner>\n";
        return 2;
    }
    try {
        test::ServiceUnderTest sut(test::poolFor(argv[1], 2, 0));
        auto applied = sut.db.migrate(
            argv[2], {
                         {1, "create a", "SELECT pg_sleep(0.3); CREATE TABLE a (id int PRIMARY KEY)"},
                         {2, "create b", "SELECT pg_sleep(0.3); CREATE TABLE b (id int PRIMARY KEY)"},
                         {3, "seed a", "INSERT INTO a SELECT generate_series(1, 100)"},
                     });
        for (const auto& a : applied) std::cout << "applied " << a.version << " " << a.name << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "migrate failed: " << e.what() << "\n";
        return 1;
    }
}

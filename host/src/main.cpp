// valory-host entry point.
#include "application.hpp"

#include <Poco/Util/Application.h>

#include <signal.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    // Block the stop/reload signals in every thread before any is started; the application waits
    // for them with sigwait (a stray SIGHUP must not kill the host).
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);

    // "run <plugin> <command> [args...]": everything after "run" belongs to the command, so split it
    // off before Poco parses options (options must come before "run").
    static const char* kValued[] = {"--config",      "-c",        "--port", "-p", "--port-file",
                                    "--plugin-path", "--pidfile", "--umask"};
    std::vector<char*> pocoArgs;
    std::vector<std::string> runArgs;
    bool runRequested = false;
    pocoArgs.push_back(argv[0]);
    for (int i = 1; i < argc; ++i) {
        if (!runRequested && std::strcmp(argv[i], "run") == 0) {
            runRequested = true;
            continue;
        }
        if (runRequested) {
            runArgs.emplace_back(argv[i]);
            continue;
        }
        pocoArgs.push_back(argv[i]);
        bool valued = false;
        for (auto* v : kValued) valued = valued || std::strcmp(argv[i], v) == 0;
        if (valued && i + 1 < argc) pocoArgs.push_back(argv[++i]);
    }
    pocoArgs.push_back(nullptr);
    try {
        valory::host::Application app(std::move(runArgs), runRequested);
        const int rc = app.run(static_cast<int>(pocoArgs.size() - 1), pocoArgs.data());
        // Poco reports a bad command line (unknown option, missing argument) as EXIT_CONFIG.
        return rc == Poco::Util::Application::EXIT_CONFIG ? valory::host::Application::kExitUsage : rc;
    } catch (const std::exception& e) {
        std::cerr << "valory-host: " << e.what() << "\n";
        return 1;
    }
}
